import Datasets
import Models
import Optimization
import Training
import XCTest

/// Which epoch a run reports: chosen on validation error, reporting test error there; never
/// a diverged run's numbers.
final class RunOutcomeTests: XCTestCase {
    /// Epochs with the given validation and test errors (the other metrics follow from them).
    func epochs(validation: [Double], test: [Double]) -> [EpochRecord] {
        zip(validation, test).enumerated().map { index, errors in
            EpochRecord(epoch: index + 1, multiplier: 1, trainLoss: 0.1, testLoss: errors.1 * 2, trainError: 0.01,
                        testError: errors.1, weightNorm: 1, seconds: 0, validationLoss: errors.0 * 2, validationError: errors.0)
        }
    }

    func testBestEpochIsChosenOnValidationAndReportsTestErrorThere() throws {
        // Validation is lowest at epoch 2; test is lowest at epoch 4. The choice must not peek at test.
        let records = epochs(validation: [0.30, 0.20, 0.25, 0.22], test: [0.31, 0.24, 0.23, 0.19])
        let outcome = RunOutcome(epochs: records, completed: true, selectedOn: .validation)
        XCTAssertEqual(outcome.best?.epoch, 2)
        XCTAssertEqual(outcome.best?.testError, 0.24)
        XCTAssertEqual(outcome.final?.epoch, 4)
        XCTAssertEqual(outcome.selectedOn, .validation)
    }

    func testWithoutValidationSelectionFallsBackToTestAndSaysSo() throws {
        let records = epochs(validation: [.nan, .nan, .nan], test: [0.30, 0.21, 0.21])
        let outcome = RunOutcome(epochs: records, completed: true, selectedOn: .test)
        XCTAssertEqual(outcome.best?.epoch, 2, "the earliest of two equal errors")
        XCTAssertEqual(outcome.selectedOn, .test)
        XCTAssertEqual(SelectionSplit(data: DataSpec(source: .mnist)), .test)
        XCTAssertEqual(SelectionSplit(data: DataSpec(source: .mnist, validationSize: 10)), .validation)
        XCTAssertEqual(SelectionSplit(data: DataSpec(source: .mnist, validationFraction: 0.1)), .validation)
    }

    func testNaNErrorsNeverWin() {
        let records = epochs(validation: [.nan, 0.4, .nan, 0.5], test: [0.1, 0.4, 0.1, 0.5])
        XCTAssertEqual(RunOutcome(epochs: records, completed: true, selectedOn: .validation).best?.epoch, 2)
        let allNaN = epochs(validation: [.nan, .nan], test: [0.1, 0.2])
        XCTAssertNil(RunOutcome(epochs: allNaN, completed: true, selectedOn: .validation).best)
    }

    func testARunThatDidNotFinishHasNoFinalOrBestEpochOnlyALastFiniteOne() {
        let records = epochs(validation: [0.3, 0.2], test: [0.3, 0.2])
        let outcome = RunOutcome(epochs: records, completed: false, selectedOn: .validation)
        XCTAssertNil(outcome.final)
        XCTAssertNil(outcome.best)
        XCTAssertEqual(outcome.lastFinite?.epoch, 2)
        XCTAssertNil(RunOutcome(epochs: [], completed: false, selectedOn: .test).lastFinite)
    }

    func testARunResultsOutcomeFollowsItsStatusAndData() {
        let configuration = RunConfiguration(
            data: DataSpec(source: .syntheticClassification, validationFraction: 0.2), model: ModelSpec(kind: .softmax),
            optimizer: OptimizerSpec(kind: .sgd), regularization: RegularizationSpec(), schedule: ScheduleSpec(),
            training: TrainingSpec(epochs: 2))
        var result = RunResult(configuration: configuration, key: configuration.key, status: .diverged, message: "x",
                               epochs: epochs(validation: [0.3, 0.2], test: [0.3, 0.2]), parameters: [],
                               layout: ParameterLayout([]), effectiveLambda: 0, seconds: 0)
        XCTAssertNil(result.outcome.final)
        XCTAssertEqual(result.outcome.selectedOn, .validation)
        result.status = .finished
        XCTAssertEqual(result.outcome.final?.epoch, 2)
    }
}
