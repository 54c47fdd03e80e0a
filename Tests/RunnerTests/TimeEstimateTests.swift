import Datasets
import Models
import Optimization
@testable import Runner
import TensorMath
import Training
import XCTest

final class TimeEstimateTests: XCTestCase {
    func configuration(optimizer: OptimizerSpec, model: ModelSpec, batchSize: Int?,
                       data: DataSpec = DataSpec(source: .syntheticClassification)) -> RunConfiguration {
        RunConfiguration(
            data: data, model: model, optimizer: optimizer,
            regularization: RegularizationSpec(), schedule: ScheduleSpec(),
            training: TrainingSpec(epochs: 2, batchSize: batchSize, seed: 4))
    }

    /// The shortest a calibration can take: the warm-up and every timed segment.
    var shortestCalibration: Double {
        (TimeEstimate.warmUpDuration + TimeEstimate.segmentDuration * TimeEstimate.segments) / .seconds(1)
    }

    func testCalibrationTimesStepsForItsWholeBudgetAndGivesAPositiveCost() throws {
        let minibatch = configuration(optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3),
                                      model: ModelSpec(kind: .mlp, hidden: [16]), batchSize: 32)
        for config in [minibatch, { var full = minibatch; full.training.batchSize = nil; return full }()] {
            let started = ContinuousClock.now
            let cost = try TimeEstimate.calibrate(config, features: 20, outputs: 3, trainingPoints: 200)
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            XCTAssertTrue(cost.isFinite && cost > 0, "seconds per point \(cost)")
            // A few steps last microseconds here; the calibration must not stop after them.
            XCTAssertGreaterThanOrEqual(elapsed, shortestCalibration, "batch size \(String(describing: config.training.batchSize))")
        }
    }

    func testADivergingConfigurationStillCalibrates() throws {
        // Gradient descent with a step far above 2/L: the loss overflows within a few dozen steps,
        // and diverged steps skip the update, so the calibration starts again from the initial state.
        let diverging = configuration(optimizer: OptimizerSpec(kind: .sgd, learningRate: 1e6),
                                      model: ModelSpec(kind: .linear, initialization: .glorot), batchSize: 16,
                                      data: DataSpec(source: .syntheticRegression))
        var session = try TrainingSession(configuration: diverging, dataset: TimeEstimateTests.regression)
        var losses: [Double] = []
        for _ in 0..<100 { losses.append(session.step(on: Array(0..<16)[...])) }
        XCTAssertTrue(losses.contains { !$0.isFinite }, "the configuration must really diverge for this test to mean anything")
        let cost = try TimeEstimate.calibrate(diverging, features: 4, outputs: 1, trainingPoints: 64)
        XCTAssertTrue(cost.isFinite && cost > 0, "seconds per point \(cost)")
    }

    static let regression: Dataset = {
        var random = DeterministicRandom(seed: 3, stream: "time-estimate-test")
        let features = (0..<(64 * 4)).map { _ in Float(random.nextNormal()) }
        let values = (0..<64).map { _ in Float(random.nextNormal()) }
        return Dataset(name: "regression", featureCount: 4, task: .regression,
                       train: Split(features: features, values: values), test: Split(features: [], values: []))
    }()
}
