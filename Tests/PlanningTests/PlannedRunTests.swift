import Datasets
import Models
import Optimization
import Planning
import Training
import XCTest

/// A planned run's kept key, and the runs of a grid that repeat an earlier one.
final class PlannedRunTests: XCTestCase {
    func configuration(_ optimizer: OptimizerSpec, _ regularization: RegularizationSpec, seed: UInt64 = 0) -> RunConfiguration {
        RunConfiguration(data: DataSpec(source: .syntheticClassification), model: ModelSpec(kind: .softmax),
                         optimizer: optimizer, regularization: regularization,
                         schedule: ScheduleSpec(), training: TrainingSpec(epochs: 2, seed: seed))
    }

    func plan(_ configurations: [RunConfiguration]) -> GridPlan {
        let runs = configurations.enumerated().map { index, configuration in
            PlannedRun(index: index, block: 0, coordinates: [.init(axis: "run", label: String(index))], configuration: configuration)
        }
        return GridPlan(name: "repeats", description: "", sourceText: "", canonicalText: "{\"name\":\"repeats\"}",
                        axes: [.init(name: "run", labels: runs.map { String($0.index) })], runs: runs, storesParameters: false)
    }

    func testTheKeptKeyFollowsEveryChangeOfTheConfiguration() {
        let sgd = OptimizerSpec(kind: .sgd, learningRate: 0.1)
        var run = PlannedRun(index: 0, block: 0, coordinates: [], configuration: configuration(sgd, RegularizationSpec()))
        let first = run.key
        XCTAssertEqual(first, run.configuration.key)
        run.configuration.optimizer.learningRate = 0.2
        XCTAssertNotEqual(run.key, first, "a changed learning rate kept the old key")
        XCTAssertEqual(run.key, run.configuration.key)
        run.configuration.training.seed = 7
        XCTAssertEqual(run.key, run.configuration.key)
        run.configuration.optimizer.learningRate = 0.1
        run.configuration.training.seed = 0
        XCTAssertEqual(run.key, first, "the same configuration again hashes to another key")
    }

    func testRunsThatComputeTheSameAreFoundAndOthersAreNot() throws {
        let sgd = OptimizerSpec(kind: .sgd, learningRate: 0.1)
        var sgdOtherBeta = sgd
        sgdOtherBeta.beta1 = 0.5  // plain SGD never reads β₁
        let faster = OptimizerSpec(kind: .sgd, learningRate: 0.2)
        let noPenalty = RegularizationSpec(penalty: .none, lambda: 0)
        let zeroL2 = RegularizationSpec(penalty: .l2, lambda: 0)
        let l2 = RegularizationSpec(penalty: .l2, lambda: 1e-3)
        let grid = plan([
            configuration(sgd, noPenalty),              // 0
            configuration(sgd, zeroL2),                 // 1 repeats 0: λ = 0 is no penalty
            configuration(sgdOtherBeta, noPenalty),     // 2 repeats 0
            configuration(faster, noPenalty),           // 3 another learning rate
            configuration(sgd, l2),                     // 4 a penalty that acts
            configuration(sgd, noPenalty, seed: 1),     // 5 another seed
            configuration(sgdOtherBeta, l2),            // 6 repeats 4
        ])
        let repeated = RepeatedRuns(grid)
        XCTAssertEqual(repeated.pairs.map { [$0.repeat.index, $0.original.index] }, [[1, 0], [2, 0], [6, 4]])
        let note = try XCTUnwrap(repeated.note)
        XCTAssertTrue(note.contains("3 runs compute exactly what an earlier run computes"), note)
        XCTAssertTrue(note.contains("run 1, run=1") && note.contains("repeats run 0, run=0"), note)
        XCTAssertNil(RepeatedRuns(plan([configuration(sgd, noPenalty), configuration(faster, noPenalty)])).note)
    }
}
