import Analysis
import Datasets
import Foundation
import Models
import Optimization
import Planning
import Results
import Training
import XCTest

/// Nightly comparison on constructed files: a known regression, seed noise only, a missing
/// run, changed keys, a run that stops finishing.
final class ResultsComparisonTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Baseline final test errors per cell (λ) and seed: spread ≈ 0.01 over four seeds.
    let baselineErrors: [Double: [Double]] = [0.001: [0.20, 0.21, 0.19, 0.20], 0.1: [0.30, 0.31, 0.29, 0.30]]

    /// A record whose final test error is `error`; `epsilon` changes the key, not the coordinates.
    func record(lambda: Double, seed: UInt64, error: Double, status: RunRecord.RecordStatus = .finished,
                epsilon: Double = 1e-8) -> RunRecord {
        let configuration = RunConfiguration(
            data: DataSpec(source: .syntheticClassification), model: ModelSpec(kind: .softmax),
            optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01, epsilon: epsilon),
            regularization: RegularizationSpec(penalty: .decoupled, lambda: lambda), schedule: ScheduleSpec(),
            training: TrainingSpec(epochs: 2, seed: seed))
        let run = PlannedRun(index: 0, block: 0, coordinates: [.init(axis: "lambda", label: NumberLabel.format(lambda)),
                                                                .init(axis: "seed", label: String(seed))],
                             configuration: configuration)
        let epochs = status == .diverged ? [] : [1, 2].map { number in
            EpochRecord(epoch: number, multiplier: 1, trainLoss: 0.1, testLoss: 2 * error, trainError: 0.05,
                        testError: number == 2 ? error : error + 0.1, weightNorm: 1, seconds: 0.1)
        }
        return RunRecord(run: run, status: status, message: "", epochs: epochs, parameters: [], effectiveLambda: lambda, seconds: 1)
    }

    /// Every run of the baseline, with `shift` added to the errors of the λ = 0.1 cell and
    /// the seeds' errors rotated (seed noise: same spread, other draws).
    func records(shift: Double = 0, rotateSeeds: Bool = false, epsilon: Double = 1e-8) -> [RunRecord] {
        baselineErrors.keys.sorted().flatMap { lambda -> [RunRecord] in
            var errors = baselineErrors[lambda]!
            if rotateSeeds { errors = Array(errors[1...] + errors[..<1]) }
            return errors.enumerated().map { seed, error in
                record(lambda: lambda, seed: UInt64(seed), error: error + (lambda == 0.1 ? shift : 0), epsilon: epsilon)
            }
        }
    }

    /// Writes records to a results file and reads them back, so the comparison sees what a file holds.
    func throughFile(_ records: [RunRecord], _ name: String) throws -> [RunRecord] {
        var indexed = records
        for index in indexed.indices { indexed[index].run.index = index }
        let path = directory.appendingPathComponent(name).path
        let metadata = ResultsFile.Metadata(kind: "grid", commandLine: "test", jobs: 1, blasThreads: 1, startedUTC: Date(),
                                            finishedUTC: Date(), complete: true,
                                            provenance: Provenance(harnessVersion: "0", gitCommit: "c", swiftVersion: "6", hdf5Version: "1",
                                                                   openBLASConfiguration: "", blasCoreName: "Haswell", cpu: "cpu",
                                                                   logicalCores: 2, hostName: "host", openBLASEnvironment: ""))
        try ResultsFile.write(records: indexed, plan: nil, metadata: metadata, to: path)
        return try ResultsFile.readAll(at: path)
    }

    let threeDeviations = ResultsComparison.Thresholds(seedDeviations: 3, absolute: nil)

    func testAKnownRegressionIsFlaggedInItsCellOnly() throws {
        let comparison = ResultsComparison(baseline: try throughFile(records(), "base.h5"),
                                           new: try throughFile(records(shift: 0.05), "new.h5"), thresholds: threeDeviations)
        XCTAssertTrue(comparison.hasRegression)
        XCTAssertEqual(Set(comparison.regressions.map(\.cell)), ["lambda=0.1"])
        let error = try XCTUnwrap(comparison.regressions.first { $0.metric == "final_test_error" })
        // Curves are stored as float32, so the numbers read back agree to about 1e-7.
        XCTAssertEqual(error.change, 0.05, accuracy: 1e-6)
        // Sample SD of {0.30, 0.31, 0.29, 0.30} is √(0.0002/3) ≈ 0.008165 on both sides.
        XCTAssertEqual(error.seedDeviation!, (0.0002 / 3).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(error.changeInDeviations!, 0.05 / (0.0002 / 3).squareRoot(), accuracy: 1e-3)
        XCTAssertEqual(comparison.matchedByKey, 8)
        XCTAssertTrue(comparison.markdown(baselineName: "base", newName: "new").contains("**Regression**"))
    }

    func testSeedNoiseAloneIsNoRegression() throws {
        let comparison = ResultsComparison(baseline: try throughFile(records(), "base.h5"),
                                           new: try throughFile(records(shift: 0.005, rotateSeeds: true), "new.h5"),
                                           thresholds: threeDeviations)
        XCTAssertFalse(comparison.hasRegression, comparison.markdown(baselineName: "base", newName: "new"))
        XCTAssertEqual(comparison.changes.count, 6)  // two cells × three metrics
    }

    func testAnAbsoluteThresholdIgnoresTheSpread() throws {
        let strict = ResultsComparison(baseline: records(), new: records(shift: 0.005),
                                       thresholds: .init(seedDeviations: nil, absolute: 0.004))
        XCTAssertTrue(strict.hasRegression)
        let loose = ResultsComparison(baseline: records(), new: records(shift: 0.005),
                                      thresholds: .init(seedDeviations: nil, absolute: 0.02))
        XCTAssertFalse(loose.hasRegression)
    }

    func testAnImprovementIsNeverARegression() {
        let comparison = ResultsComparison(baseline: records(), new: records(shift: -0.1), thresholds: threeDeviations)
        XCTAssertFalse(comparison.hasRegression)
        XCTAssertLessThan(comparison.changes.first { $0.cell == "lambda=0.1" }!.change, 0)
    }

    func testAMissingRunIsListedAndTheRestCompared() throws {
        let new = records().filter { !($0.run.label(on: "lambda") == "0.001" && $0.run.label(on: "seed") == "2") }
        let comparison = ResultsComparison(baseline: try throughFile(records(), "base.h5"), new: try throughFile(new, "new.h5"),
                                           thresholds: threeDeviations)
        XCTAssertEqual(comparison.onlyInBaseline.map(\.cell), ["lambda=0.001"])
        XCTAssertEqual(comparison.onlyInBaseline.map(\.seed), ["2"])
        XCTAssertTrue(comparison.onlyInNew.isEmpty)
        let cell = try XCTUnwrap(comparison.changes.first { $0.cell == "lambda=0.001" && $0.metric == "final_test_error" })
        XCTAssertEqual(cell.newSeeds, 3)
        XCTAssertTrue(comparison.markdown(baselineName: "b", newName: "n").contains("Runs only in the baseline (1)"))
        // A night that lost a run has not shown it is as good: it fails without a regression.
        XCTAssertFalse(comparison.hasRegression)
        XCTAssertTrue(comparison.fails)
        XCTAssertTrue(comparison.markdown(baselineName: "b", newName: "n").contains("**1 run of the baseline has no result in the new file**"))
    }

    func testARunPendingInTheNewFileFailsTheComparison() {
        var new = records()
        new[3].status = .pending
        new[3].epochs = []
        let comparison = ResultsComparison(baseline: records(), new: new, thresholds: threeDeviations)
        XCTAssertEqual(comparison.onlyInBaseline.map(\.key), [new[3].run.key])
        XCTAssertTrue(comparison.fails)
        XCTAssertTrue(ResultsComparison(baseline: records(), new: records(), thresholds: threeDeviations).fails == false)
    }

    func testARegressionInOneSeedIsMeasuredByTheBaselinesSpread() throws {
        // One seed of four worse by 0.6: the mean rises by 0.15, about 18 of the baseline's
        // seed SDs. Pooled with tonight's spread (which the bad seed widens to about 0.3) it was
        // under 1 SD, and no shift of one seed could ever reach 3.
        var new = records()
        let index = try XCTUnwrap(new.firstIndex { $0.run.label(on: "lambda") == "0.1" && $0.run.label(on: "seed") == "0" })
        new[index] = record(lambda: 0.1, seed: 0, error: 0.9)
        let comparison = ResultsComparison(baseline: try throughFile(records(), "base.h5"), new: try throughFile(new, "new.h5"),
                                           thresholds: threeDeviations)
        let error = try XCTUnwrap(comparison.regressions.first { $0.metric == "final_test_error" })
        XCTAssertEqual(error.cell, "lambda=0.1")
        XCTAssertEqual(error.seedDeviation!, (0.0002 / 3).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(error.changeInDeviations!, 0.15 / (0.0002 / 3).squareRoot(), accuracy: 1e-2)
    }

    func testSeedsThatAgreeExactlyAreSaidToBeUnflaggable() {
        let same = [0.2, 0.2, 0.2].enumerated().map { record(lambda: 0.01, seed: UInt64($0.offset), error: $0.element) }
        let worse = [0.3, 0.3, 0.3].enumerated().map { record(lambda: 0.01, seed: UInt64($0.offset), error: $0.element) }
        let comparison = ResultsComparison(baseline: same, new: worse, thresholds: threeDeviations)
        XCTAssertFalse(comparison.hasRegression)
        XCTAssertEqual(comparison.unflaggable.count, 3)
        XCTAssertTrue(comparison.markdown(baselineName: "b", newName: "n").contains("**3 of 3 cell metrics could not be flagged**"))
        let absolute = ResultsComparison(baseline: same, new: worse, thresholds: .init(seedDeviations: 3, absolute: 0.05))
        XCTAssertTrue(absolute.hasRegression && absolute.unflaggable.isEmpty)
    }

    func testAChangeOfExactlyTheAbsoluteThresholdIsNotBeyondIt() throws {
        // Read back from float32, 0.20 → 0.21 is a few float32 steps above or below 0.01 by
        // cell; some were flagged and some not.
        let lambdas = [0.001, 0.01, 0.1, 1.0]
        let errors = [0.17, 0.2, 0.33, 0.58]
        func records(adding delta: Double) -> [RunRecord] {
            zip(lambdas, errors).flatMap { lambda, error in (0..<2).map { record(lambda: lambda, seed: UInt64($0), error: error + delta) } }
        }
        let base = try throughFile(records(adding: 0), "base.h5")
        let exactly = ResultsComparison(baseline: base, new: try throughFile(records(adding: 0.01), "exactly.h5"),
                                        thresholds: .init(seedDeviations: nil, absolute: 0.01))
        // (The test loss is twice the error here: it rose by 0.02, beyond the threshold.)
        XCTAssertEqual(exactly.regressions.filter { $0.metric != "final_test_loss" }.count, 0,
                       exactly.markdown(baselineName: "b", newName: "n"))
        let beyond = ResultsComparison(baseline: base, new: try throughFile(records(adding: 0.0101), "beyond.h5"),
                                       thresholds: .init(seedDeviations: nil, absolute: 0.01))
        XCTAssertEqual(beyond.regressions.filter { $0.metric != "final_test_loss" }.count, 8)
    }

    func testANonFiniteMetricOfAFinishedRunIsNeverDroppedInSilence() {
        var new = records()
        new[1] = record(lambda: 0.001, seed: 1, error: .nan)
        let comparison = ResultsComparison(baseline: records(), new: new, thresholds: threeDeviations)
        XCTAssertTrue(comparison.hasRegression)
        XCTAssertEqual(comparison.statusChanges.map(\.new), ["finished with a non-finite final_test_error"])

        let damagedBaseline = ResultsComparison(baseline: new, new: records(), thresholds: threeDeviations)
        XCTAssertEqual(damagedBaseline.nonFiniteInBaseline, 1)
        XCTAssertTrue(damagedBaseline.markdown(baselineName: "b", newName: "n").contains("**1 finished run of the baseline has a non-finite metric**"))
    }

    func testChangedKeysAreMatchedByGridCoordinatesAndSaid() throws {
        let new = records(epsilon: 1e-7)
        XCTAssertNotEqual(new[0].run.key, records()[0].run.key)
        let comparison = ResultsComparison(baseline: try throughFile(records(), "base.h5"), new: try throughFile(new, "new.h5"),
                                           thresholds: threeDeviations)
        XCTAssertEqual(comparison.matchedByKey, 0)
        XCTAssertEqual(comparison.matchedByCoordinates.count, 8)
        XCTAssertTrue(comparison.onlyInBaseline.isEmpty && comparison.onlyInNew.isEmpty)
        XCTAssertFalse(comparison.hasRegression)
        XCTAssertTrue(comparison.markdown(baselineName: "b", newName: "n").contains("matched by grid coordinates because their keys changed: 8"))
    }

    func testARunThatNowDivergesIsARegression() {
        var new = records()
        new[0] = record(lambda: 0.001, seed: 0, error: .nan, status: .diverged)
        let comparison = ResultsComparison(baseline: records(), new: new, thresholds: threeDeviations)
        XCTAssertTrue(comparison.hasRegression)
        XCTAssertEqual(comparison.statusChanges.map(\.new), ["diverged"])
    }

    func testTheJSONReportCarriesTheVerdictAndEveryCell() throws {
        let comparison = ResultsComparison(baseline: records(), new: records(shift: 0.05), thresholds: threeDeviations)
        let object = try JSONSerialization.jsonObject(with: comparison.json(baselineName: "b", newName: "n")) as? [String: Any]
        XCTAssertEqual(object?["regression"] as? Bool, true)
        XCTAssertEqual((object?["cells"] as? [Any])?.count, 6)
    }
}
