import Datasets
import Models
import Optimization
import Training
import XCTest

/// Known answers for what names a run and seeds its random streams.
///
/// The key names a run in every results file and journal; the stream seed draws its initial
/// weights, batch order and data subsets. A change to either (in the canonical JSON, a field's
/// name or default, the hash) silently re-seeds or renames every run, so these values are
/// pinned. They were taken from this code when the test was written, and agree with FNV-1a
/// computed in Python over the canonical JSON (printed when the key test fails) and over
/// "seed=1;data=…;model=…" built from its `data` and `model` members.
final class RunIdentityTests: XCTestCase {
    let configuration = RunConfiguration(
        data: DataSpec(source: .fashionMNIST, trainSubset: 2000),
        model: ModelSpec(kind: .mlp, hidden: [256], activation: .relu, initialization: .he),
        optimizer: OptimizerSpec(kind: .adam, learningRate: 3e-3),
        regularization: RegularizationSpec(penalty: .decoupled, lambda: 1, decayConvention: .torch),
        schedule: ScheduleSpec(kind: .cosine),
        training: TrainingSpec(epochs: 60, batchSize: 128, seed: 1))

    func testRunKeyOfAFixedConfiguration() {
        XCTAssertEqual(configuration.key, "f22e8f92decdf017", configuration.canonicalJSON)
    }

    func testStreamSeedOfAFixedConfiguration() {
        XCTAssertEqual(configuration.streamSeed, 17_402_707_363_581_256_395)
    }
}
