import Datasets
import Models
import Optimization
import Training
import XCTest

/// `equivalent` must merge exactly the configurations that compute the same numbers.
final class EquivalentConfigurationTests: XCTestCase {
    func configuration(_ optimizer: OptimizerSpec, _ regularization: RegularizationSpec,
                       _ schedule: ScheduleSpec = ScheduleSpec(kind: .constant)) -> RunConfiguration {
        RunConfiguration(data: DataSpec(source: .syntheticClassification),
                         model: ModelSpec(kind: .mlp, hidden: [5], activation: .tanh, initialization: .glorot),
                         optimizer: optimizer, regularization: regularization, schedule: schedule,
                         training: TrainingSpec(epochs: 2, batchSize: 10, seed: 1))
    }

    func assertSameNumbers(_ a: RunConfiguration, _ b: RunConfiguration, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.equivalent, b.equivalent, file: file, line: line)
        let dataset = TestData.classification(count: 30, features: 3, seed: 2)
        XCTAssertEqual(Trainer.run(a, on: dataset).parameters, Trainer.run(b, on: dataset).parameters, file: file, line: line)
    }

    func testSettingsThatCannotMatterAreMerged() {
        assertSameNumbers(configuration(OptimizerSpec(kind: .adam, learningRate: 0.01, momentum: 0.5), RegularizationSpec()),
                          configuration(OptimizerSpec(kind: .adam, learningRate: 0.01, momentum: 0.9), RegularizationSpec()))
        assertSameNumbers(configuration(OptimizerSpec(kind: .sgdMomentum, learningRate: 0.05, beta2: 0.9), RegularizationSpec()),
                          configuration(OptimizerSpec(kind: .sgdMomentum, learningRate: 0.05), RegularizationSpec()))
        assertSameNumbers(configuration(OptimizerSpec(kind: .adam, learningRate: 0.01), RegularizationSpec(penalty: .l2, lambda: 0)),
                          configuration(OptimizerSpec(kind: .adam, learningRate: 0.01), RegularizationSpec(penalty: .decoupled, lambda: 0, decayConvention: .paper)))
        assertSameNumbers(configuration(OptimizerSpec(kind: .adam, learningRate: 0.01), RegularizationSpec(penalty: .l2, lambda: 0.1, decayConvention: .paper)),
                          configuration(OptimizerSpec(kind: .adam, learningRate: 0.01), RegularizationSpec(penalty: .l2, lambda: 0.1, decayConvention: .torch)))
        assertSameNumbers(configuration(OptimizerSpec(kind: .sgd, learningRate: 0.05), RegularizationSpec(), ScheduleSpec(kind: .cosine, every: 3, t0: 7)),
                          configuration(OptimizerSpec(kind: .sgd, learningRate: 0.05), RegularizationSpec(), ScheduleSpec(kind: .cosine)))
    }

    func testSettingsThatMatterAreKeptApart() {
        let adam = OptimizerSpec(kind: .adam, learningRate: 0.01)
        let pairs: [(RunConfiguration, RunConfiguration)] = [
            (configuration(adam, RegularizationSpec(penalty: .l2, lambda: 0.1)), configuration(adam, RegularizationSpec(penalty: .decoupled, lambda: 0.1))),
            (configuration(adam, RegularizationSpec(penalty: .decoupled, lambda: 0.1, decayConvention: .paper)),
             configuration(adam, RegularizationSpec(penalty: .decoupled, lambda: 0.1, decayConvention: .torch))),
            (configuration(OptimizerSpec(kind: .sgdMomentum, learningRate: 0.05, momentum: 0.5), RegularizationSpec()),
             configuration(OptimizerSpec(kind: .sgdMomentum, learningRate: 0.05, momentum: 0.9), RegularizationSpec())),
            (configuration(adam, RegularizationSpec(), ScheduleSpec(kind: .cosine, minimum: 0.1)), configuration(adam, RegularizationSpec(), ScheduleSpec(kind: .cosine))),
        ]
        for (a, b) in pairs { XCTAssertNotEqual(a.equivalent, b.equivalent) }
    }
}
