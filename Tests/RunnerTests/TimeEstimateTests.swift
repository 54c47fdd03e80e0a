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

    func testADivergedCalibrationStepStartsTheSessionAgain() throws {
        // Gradient descent with a step far above 2/L: the loss overflows within a few steps.
        // Without a restart every later step would be a diverged one, which skips its update.
        let diverging = configuration(optimizer: OptimizerSpec(kind: .sgd, learningRate: 1e6),
                                      model: ModelSpec(kind: .linear, initialization: .glorot), batchSize: 16,
                                      data: DataSpec(source: .syntheticRegression))
        let fresh = try TrainingSession(configuration: diverging, dataset: TimeEstimateTests.regression)
        var session = fresh
        let indices = Array((0..<16).reversed())[...]
        let losses = (0..<100).map { _ in TimeEstimate.calibrationStep(&session, on: indices, restartingFrom: fresh) }
        guard let firstDiverged = losses.firstIndex(where: { !$0.isFinite }) else {
            return XCTFail("the configuration must really diverge for this test to mean anything: \(losses.suffix(3))")
        }
        XCTAssertEqual(losses[firstDiverged + 1], losses[0], "the step after a diverged one starts from the initial state")
        XCTAssertGreaterThan(losses.filter { !$0.isFinite }.count, 1, "it diverges again, and is started again")
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
