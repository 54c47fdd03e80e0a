import Analysis
import Datasets
import Models
import Optimization
import Planning
import Results
import Training
import XCTest

/// The end-of-grid summary: which cell of each optimizer × penalty group is called best.
final class SummaryTableTests: XCTestCase {
    /// A record of one run whose final test error is `error` (or a diverged/pending run);
    /// with `validation`, its data has a validation split and that final validation error.
    func record(optimizer: OptimizerSpec.Kind = .adam, penalty: RegularizationSpec.Penalty, lambda: Double, lr: Double = 0.01,
                seed: UInt64, error: Double, validation: Double? = nil, status: RunRecord.RecordStatus = .finished,
                index: Int = 0, testFraction: Double = 0.2) -> RunRecord {
        let configuration = RunConfiguration(
            data: DataSpec(source: .syntheticClassification, testFraction: testFraction, validationFraction: validation == nil ? nil : 0.2),
            model: ModelSpec(kind: .softmax),
            optimizer: OptimizerSpec(kind: optimizer, learningRate: lr),
            regularization: RegularizationSpec(penalty: penalty, lambda: lambda), schedule: ScheduleSpec(),
            training: TrainingSpec(epochs: 2, seed: seed))
        let run = PlannedRun(index: index, block: 0, coordinates: PlannedRun.standardCoordinates(of: configuration),
                             configuration: configuration)
        guard status != .pending else { return .pending(run) }
        let epochs = [1, 2].map { number in
            EpochRecord(epoch: number, multiplier: 1, trainLoss: 0.1, testLoss: 0.2, trainError: 0.05,
                        testError: number == 2 ? error : 0.9, weightNorm: 1, seconds: 0.1,
                        validationLoss: 0.2, validationError: validation.map { number == 2 ? $0 : 0.9 } ?? .nan)
        }
        return RunRecord(run: run, status: status, message: "", epochs: epochs, parameters: [],
                         effectiveLambda: lambda, seconds: 1)
    }

    func testTheBestCellHasTheLowestMeanOverSeedsNotTheLuckiestSeed() {
        let records = [
            // λ = 0.1: one lucky seed (0.05) but a mean of 0.25.
            record(penalty: .l2, lambda: 0.1, seed: 0, error: 0.05), record(penalty: .l2, lambda: 0.1, seed: 1, error: 0.45),
            // λ = 0.01: a mean of 0.20.
            record(penalty: .l2, lambda: 0.01, seed: 0, error: 0.19), record(penalty: .l2, lambda: 0.01, seed: 1, error: 0.21),
        ]
        let summary = SummaryTable(records: records)
        XCTAssertEqual(summary.rows.count, 1)
        XCTAssertEqual(summary.rows[0].lambda, "0.01")
        XCTAssertEqual(summary.rows[0].meanTestError, 0.20, accuracy: 1e-12)
        XCTAssertEqual(summary.rows[0].standardDeviation, (0.0002 as Double).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(summary.rows[0].seeds, 2)
    }

    func testACellWithADivergedSeedRanksAfterEveryCellWithout() {
        let records = [
            record(penalty: .decoupled, lambda: 1, seed: 0, error: 0.01), record(penalty: .decoupled, lambda: 1, seed: 1, error: .nan, status: .diverged),
            record(penalty: .decoupled, lambda: 0.1, seed: 0, error: 0.30), record(penalty: .decoupled, lambda: 0.1, seed: 1, error: 0.32),
        ]
        let summary = SummaryTable(records: records)
        XCTAssertEqual(summary.rows.map(\.lambda), ["0.1"])
        XCTAssertEqual(summary.rows[0].divergedSeeds, 0)
        XCTAssertEqual(summary.diverged, 1)
    }

    func testGroupsAreOptimizerTimesPenaltyInOrderOfFirstAppearance() {
        let records = [
            record(optimizer: .sgd, penalty: .l2, lambda: 0, seed: 0, error: 0.4),
            record(optimizer: .adam, penalty: .decoupled, lambda: 0.1, seed: 0, error: 0.2),
            record(optimizer: .adam, penalty: .l2, lambda: 0.1, seed: 0, error: 0.3),
            record(optimizer: .sgd, penalty: .l2, lambda: 0.1, seed: 0, error: 0.35, status: .pending),
        ]
        let summary = SummaryTable(records: records)
        XCTAssertEqual(summary.rows.map { "\($0.optimizer) \($0.penalty)" }, ["sgd l2", "adam decoupled", "adam l2"])
        XCTAssertEqual(summary.pending, 1)
        XCTAssertTrue(summary.text.contains("1 not yet run"), summary.text)
    }

    func testACellWhoseEverySeedDivergedIsNotAResult() {
        let records = [
            record(penalty: .l2, lambda: 1, seed: 0, error: .nan, status: .diverged),
            record(penalty: .l2, lambda: 1, seed: 1, error: .nan, status: .diverged),
        ]
        let summary = SummaryTable(records: records)
        XCTAssertTrue(summary.rows.isEmpty, "no finite error: nothing to call best")
        XCTAssertEqual(summary.diverged, 2)
    }

    func testTheBestCellIsChosenOnValidationAndReportsItsTestError() {
        // λ = 0.1 has the lower test error, λ = 1 the lower validation error: validation decides.
        let records = [
            record(penalty: .decoupled, lambda: 0.1, seed: 0, error: 0.10, validation: 0.30),
            record(penalty: .decoupled, lambda: 0.1, seed: 1, error: 0.12, validation: 0.32),
            record(penalty: .decoupled, lambda: 1, seed: 0, error: 0.15, validation: 0.20),
            record(penalty: .decoupled, lambda: 1, seed: 1, error: 0.17, validation: 0.22),
        ]
        let summary = SummaryTable(records: records)
        XCTAssertEqual(summary.rows.map(\.lambda), ["1"])
        XCTAssertEqual(summary.rows[0].selectedOn, .validation)
        XCTAssertEqual(summary.rows[0].meanSelectionError, 0.21, accuracy: 1e-12)
        XCTAssertEqual(summary.rows[0].meanTestError, 0.16, accuracy: 1e-12)
        XCTAssertTrue(summary.text.contains("Best cells are chosen on validation error."), summary.text)
    }

    func testWithoutAValidationSplitTheTableSaysItChoseOnTest() {
        let summary = SummaryTable(records: [record(penalty: .l2, lambda: 0.1, seed: 0, error: 0.2)])
        XCTAssertEqual(summary.rows[0].selectedOn, .test)
        XCTAssertTrue(summary.text.contains("chosen on test error (the grid has no validation split)"), summary.text)
    }

    /// Cells whose data hold no test split have no test error to rank or report: the text
    /// says how many were left out instead of showing an empty table without a word.
    func testCellsWithoutATestSplitAreCountedAndNamedNotSilentlyDropped() {
        let summary = SummaryTable(records: [
            record(penalty: .l2, lambda: 0.1, seed: 0, error: .nan, testFraction: 0),
            record(penalty: .l2, lambda: 1, seed: 0, error: .nan, validation: 0.3, testFraction: 0),
            record(penalty: .decoupled, lambda: 0.1, seed: 0, error: 0.2),
        ])
        XCTAssertEqual(summary.rows.map(\.penalty), ["decoupled"])
        XCTAssertEqual(summary.cellsWithoutTestSplit, 2)
        XCTAssertTrue(summary.text.hasSuffix("2 cells are left out: their data hold no test split (test_fraction 0), so no test error."),
                      summary.text)
        XCTAssertEqual(SummaryTable(records: [record(penalty: .l2, lambda: 0.1, seed: 0, error: 0.2)]).cellsWithoutTestSplit, 0)
    }

    func testADivergedSeedIsCountedButNeverAveragedIn() {
        // The diverged seed's last epoch is excellent; it must not enter the mean.
        let records = [
            record(penalty: .l2, lambda: 0.1, seed: 0, error: 0.30, validation: 0.30),
            record(penalty: .l2, lambda: 0.1, seed: 1, error: 0.01, validation: 0.01, status: .diverged),
        ]
        let summary = SummaryTable(records: records)
        XCTAssertEqual(summary.rows[0].seeds, 1)
        XCTAssertEqual(summary.rows[0].divergedSeeds, 1)
        XCTAssertEqual(summary.rows[0].meanTestError, 0.30, accuracy: 1e-12)
        XCTAssertEqual(summary.rows[0].meanSelectionError, 0.30, accuracy: 1e-12)
        XCTAssertTrue(summary.text.contains("1 (+1 diverged)"), summary.text)
    }
}
