import Datasets
import Models
import Optimization
import Training
import XCTest

/// A run's sizes are checked before any buffer is reserved: from the spec when it tells the
/// data's shape, from the loaded data when only the file does.
final class ConfigurationLimitsTests: XCTestCase {
    func configuration(_ data: DataSpec, hidden: [Int] = [], batchSize: Int? = 32) -> RunConfiguration {
        RunConfiguration(data: data, model: ModelSpec(kind: hidden.isEmpty ? .softmax : .mlp, hidden: hidden),
                         optimizer: OptimizerSpec(kind: .adam), regularization: RegularizationSpec(),
                         schedule: ScheduleSpec(), training: TrainingSpec(epochs: 1, batchSize: batchSize))
    }

    func testSizesTheSpecImpliesAreProblemsBeforeLoading() {
        let tooManyClasses = configuration(DataSpec(source: .syntheticClassification, classes: 1_000_000_000))
        XCTAssertEqual(tooManyClasses.problems(), [ConfigurationError(field: "data.classes", "at most 65536, got 1000000000")])
        // Fashion-MNIST's 784 inputs into 60,000 and 50,000 wide layers: 3·10⁹ parameters.
        let wide = configuration(DataSpec(source: .fashionMNIST), hidden: [60_000, 50_000])
        XCTAssertEqual(wide.problems().map(\.field), ["model.hidden"])
        XCTAssertTrue(wide.problems()[0].message.contains("3047650010 parameters on 784 features and 10 outputs"), "\(wide.problems())")
        // A full batch of 100 million points through a layer of 4096: 4·10¹¹ activations.
        let full = configuration(DataSpec(source: .syntheticClassification, samples: 100_000_000, features: 1), hidden: [4096],
                                 batchSize: nil)
        XCTAssertEqual(full.problems().map(\.field), ["training.batch_size"])
        XCTAssertTrue(configuration(DataSpec(source: .fashionMNIST), hidden: [256, 256]).problems().isEmpty)
    }

    /// A file's shape is known only once loaded: the session checks it before allocating.
    func testAFileShapedDataSetIsCheckedWhenLoaded() {
        let dataset = TestData.classification(count: 30, features: 3, seed: 1)
        let data = DataSpec(source: .csv, path: "/data.csv", task: .classification)
        let huge = configuration(data, hidden: [65_536, 65_536])
        XCTAssertTrue(huge.problems().isEmpty, "the file's shape is unknown before loading")
        XCTAssertEqual(huge.problems(on: dataset).map(\.field), ["model.hidden"])
        XCTAssertThrowsError(try TrainingSession(configuration: huge, dataset: dataset)) { error in
            XCTAssertEqual((error as? ConfigurationError)?.field, "model.hidden")
        }
        let result = Trainer.run(huge, on: dataset)
        XCTAssertEqual(result.status, .failed)
        XCTAssertTrue(result.message?.contains("parameters") ?? false, result.message ?? "")
    }

    func testEveryProblemOnLoadedDataIsReportedAtOnce() {
        let regression = TestData.regression(count: 20, features: 2, noise: 0.1, seed: 1)
        var wrong = configuration(DataSpec(source: .csv, path: "/d.csv", task: .regression))
        wrong.model = ModelSpec(kind: .softmax)
        wrong.training.batchSize = nil
        XCTAssertEqual(wrong.problems(on: regression).map(\.field), ["model.kind"])
    }

    /// `adamw` and `sgdw` stand for an optimizer with decoupled decay; any other penalty
    /// beside them is a contradiction.
    func testShorthandsNameAnOptimizerWithDecoupledDecay() {
        XCTAssertEqual(OptimizerShorthand.adamw.optimizer, .adam)
        XCTAssertEqual(OptimizerShorthand.sgdw.optimizer, .sgdMomentum)
        for shorthand in OptimizerShorthand.allCases {
            XCTAssertEqual(shorthand.penalty, .decoupled)
            XCTAssertNil(shorthand.conflict(withPenalty: .decoupled))
            for penalty in RegularizationSpec.Penalty.allCases where penalty != .decoupled {
                XCTAssertNotNil(shorthand.conflict(withPenalty: penalty))
            }
        }
        XCTAssertEqual(OptimizerShorthand.optimizerWords, ["sgd", "sgd-momentum", "sgd-nesterov", "adam", "amsgrad", "adamw", "sgdw"])
    }
}
