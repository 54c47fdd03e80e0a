import Datasets
import Models
import Optimization
import TensorMath
import Training
import XCTest

final class TrainingMemoryTests: XCTestCase {
    let shape = DataShape(trainPoints: 60_000, testPoints: 10_000, features: 784, outputs: 10)

    func configuration(_ kind: OptimizerSpec.Kind) -> RunConfiguration {
        RunConfiguration(data: DataSpec(source: .fashionMNIST), model: ModelSpec(kind: .mlp, hidden: [256, 256]),
                         optimizer: OptimizerSpec(kind: kind, learningRate: 0.001), regularization: RegularizationSpec(),
                         schedule: ScheduleSpec(), training: TrainingSpec(epochs: 1, batchSize: 128))
    }

    /// Each state vector of the optimizer is one more float per parameter (269,322 for 784-256-256-10).
    func testEachOptimizerStateVectorCostsOneFloatPerParameter() {
        let parameters = 269_322.0
        let sgd = TrainingMemory.bytes(of: configuration(.sgd), on: shape)
        XCTAssertEqual(TrainingMemory.bytes(of: configuration(.sgdMomentum), on: shape) - sgd, 4 * parameters)
        XCTAssertEqual(TrainingMemory.bytes(of: configuration(.adam), on: shape) - sgd, 8 * parameters)
        XCTAssertEqual(TrainingMemory.bytes(of: configuration(.amsgrad), on: shape) - sgd, 12 * parameters)
        // Parameters, gradient, update and the result's copy, plus a batch's and a chunk's activations and deltas.
        XCTAssertEqual(sgd, 4 * (4 * parameters + 2 * (128 + 1024) * (784 + 256 + 256 + 10)))
    }

    func testTheProblemCountsRunsAtOnceAndBLASBuffersAndNeedsALimit() {
        let gib = Double(1 << 30)
        XCTAssertNil(TrainingMemory.addressSpaceProblem(bytesPerRun: 100 * gib, runsAtOnce: 2, blasThreads: 1, who: "x",
                                                        limit: nil, inUse: nil), "no ulimit -v: nothing to check against")
        let limit = Int(3 * gib), inUse = Int(0.5 * gib)
        XCTAssertNil(TrainingMemory.addressSpaceProblem(bytesPerRun: 2 * gib, runsAtOnce: 1, blasThreads: 1, who: "x",
                                                        limit: limit, inUse: inUse))
        let two = TrainingMemory.addressSpaceProblem(bytesPerRun: 2 * gib, runsAtOnce: 2, blasThreads: 1, who: "the model of run 4",
                                                     limit: limit, inUse: inUse)
        XCTAssertEqual(two, "the model of run 4 needs about 2.0 GiB while it trains (parameters, gradients, optimizer state, "
                       + "activations), 2 runs at once, and OpenBLAS's buffers 0.3 GiB: 4.3 GiB in all, but this process's "
                       + "address-space limit (ulimit -v, 3.0 GiB) leaves 2.5 GiB; use fewer --jobs, use a smaller model, or raise the limit")
        // The data's pixel bytes count once, beside the runs: 1.9 GiB of model fits 2.5 GiB, not beside 0.5 GiB of bytes.
        XCTAssertNil(TrainingMemory.addressSpaceProblem(bytesPerRun: 1.9 * gib, runsAtOnce: 1, blasThreads: 1, who: "x",
                                                        limit: limit, inUse: inUse))
        let shared = TrainingMemory.addressSpaceProblem(bytesPerRun: 1.9 * gib, runsAtOnce: 1, sharedBytes: 0.5 * gib, blasThreads: 1,
                                                        who: "the model", limit: limit, inUse: inUse)
        XCTAssertEqual(shared, "the model needs about 1.9 GiB while it trains (parameters, gradients, optimizer state, "
                       + "activations), the data's pixel bytes 0.5 GiB, and OpenBLAS's buffers 0.1 GiB: 2.5 GiB in all, but this "
                       + "process's address-space limit (ulimit -v, 3.0 GiB) leaves 2.5 GiB; use a smaller model, or raise the limit")
        XCTAssertEqual(TrainingMemory.sharedBytes(on: DataShape(trainPoints: 60000, testPoints: 10000, features: 784, outputs: 10)),
                       47_040_000, "a byte per training feature")
        // OpenBLAS's buffers count too: 2.4 GiB of model fits 2.5 GiB alone, not beside 16 threads' buffers.
        XCTAssertNotNil(TrainingMemory.addressSpaceProblem(bytesPerRun: 2.4 * gib, runsAtOnce: 1, blasThreads: 16, who: "x",
                                                           limit: limit, inUse: inUse))
        XCTAssertEqual(Double(BLAS.addressSpacePerBuffer), 144 * 1024 * 1024)
    }
}
