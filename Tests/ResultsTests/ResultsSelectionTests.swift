import Datasets
import Foundation
import HDF5Store
import Planning
import Results
import Models
import Optimization
import Training
import XCTest

/// Validation-based selection in the results file: validation curves and columns, selection
/// on validation (or on test, said so), NaN finals for runs that did not finish, λ_norm and
/// the applied λ.
final class ResultsSelectionTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-selection-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func run(_ index: Int, lambda: Double, seed: UInt64, validation: Bool = true, normalized: Bool = false) -> PlannedRun {
        let configuration = RunConfiguration(
            data: DataSpec(source: .syntheticClassification, validationFraction: validation ? 0.2 : nil),
            model: ModelSpec(kind: .softmax), optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01),
            regularization: RegularizationSpec(penalty: .decoupled, lambda: lambda, normalized: normalized),
            schedule: ScheduleSpec(), training: TrainingSpec(epochs: 3, seed: seed))
        return PlannedRun(index: index, block: 0, coordinates: [
            .init(axis: "lambda", label: String(lambda)), .init(axis: "seed", label: String(seed)),
        ], configuration: configuration)
    }

    /// Three epochs with the given validation and test errors.
    func epochs(validation: [Double], test: [Double]) -> [EpochRecord] {
        zip(validation, test).enumerated().map { index, errors in
            EpochRecord(epoch: index + 1, multiplier: 1, trainLoss: 0.5, testLoss: 2 * errors.1, trainError: 0.05,
                        testError: errors.1, weightNorm: Double(index + 1), seconds: 0.1,
                        validationLoss: 2 * errors.0, validationError: errors.0)
        }
    }

    func plan(_ runs: [PlannedRun], lambdas: [Double]) -> GridPlan {
        GridPlan(name: "selection", description: "", sourceText: "", canonicalText: "{}",
                 axes: [.init(name: "lambda", labels: lambdas.map { String($0) }, values: lambdas),
                        .init(name: "seed", labels: ["0", "1"], values: [0, 1])],
                 runs: runs, storesParameters: false)
    }

    func write(_ records: [RunRecord], plan: GridPlan, name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try ResultsFile.write(records: records, plan: plan,
                              metadata: .init(kind: "grid", commandLine: "", jobs: 1, blasThreads: 1, startedUTC: Date(),
                                              finishedUTC: Date(), complete: true, provenance: .fixture),
                              to: path)
        return path
    }

    func column(_ table: HDF5Table, _ name: String) -> [Double] {
        guard case .float64(_, let values)? = table.column(named: name) else { XCTFail("no float column \(name)"); return [] }
        return values
    }

    func testRunsTableSelectsOnValidationAndGivesDivergedRunsNoFinals() throws {
        let runs = [run(0, lambda: 0.1, seed: 0), run(1, lambda: 0.1, seed: 1, normalized: true)]
        let records = [
            // Validation is lowest at epoch 2, test at epoch 3.
            RunRecord(run: runs[0], status: .finished, message: "",
                      epochs: epochs(validation: [0.3, 0.2, 0.25], test: [0.3, 0.24, 0.22]), parameters: [],
                      effectiveLambda: 0.1, appliedLambdas: [0.1], seconds: 1),
            RunRecord(run: runs[1], status: .diverged, message: "non-finite training loss",
                      epochs: Array(epochs(validation: [0.3, 0.2, 0.25], test: [0.3, 0.24, 0.22]).prefix(2)), parameters: [],
                      effectiveLambda: 0.004, appliedLambdas: [0.004, 0.003], seconds: 1),
        ]
        let path = try write(records, plan: plan(runs, lambdas: [0.1]), name: "selection.h5")
        let file = try HDF5File.open(at: path)
        XCTAssertEqual(try file.root.int64Attribute("schema_version"), 3)
        XCTAssertEqual(try file.root.stringAttribute("selected_on"), "validation")
        let table = try file.root.dataset("runs").readTable()
        guard case .strings(_, let selectedOn)? = table.column(named: "selected_on") else { return XCTFail("no selected_on") }
        XCTAssertEqual(selectedOn, ["validation", "validation"])
        guard case .int64(_, let bestEpoch)? = table.column(named: "best_epoch") else { return XCTFail("no best_epoch") }
        XCTAssertEqual(bestEpoch, [2, 0])
        XCTAssertEqual(column(table, "best_test_error")[0], 0.24, "test error at the epoch validation chose")
        XCTAssertEqual(column(table, "best_validation_error")[0], 0.2)
        XCTAssertEqual(column(table, "final_validation_error")[0], 0.25)
        XCTAssertEqual(column(table, "final_test_error")[0], 0.22)
        // The diverged run: no final or best numbers, its last finite epoch under its own name.
        for name in ["final_test_error", "final_validation_error", "final_train_loss", "best_test_error", "final_weight_norm"] {
            XCTAssertTrue(column(table, name)[1].isNaN, name)
        }
        XCTAssertEqual(column(table, "last_finite_test_error")[1], 0.24)
        XCTAssertEqual(column(table, "last_finite_validation_error")[1], 0.2)
        XCTAssertEqual(column(table, "last_finite_weight_norm")[1], 2)
        // λ as configured, as λ_norm (only when normalized) and as applied.
        XCTAssertEqual(column(table, "lambda"), [0.1, 0.1])
        XCTAssertTrue(column(table, "lambda_norm")[0].isNaN)
        XCTAssertEqual(column(table, "lambda_norm")[1], 0.1)
        XCTAssertEqual(column(table, "applied_lambda"), [0.1, 0.004])
        XCTAssertEqual(try file.root.group("config/\(runs[1].key)").doublesAttribute("applied_lambdas"), [0.004, 0.003])
        XCTAssertEqual(try file.root.group("config/\(runs[1].key)").doubleAttribute("lambda_norm"), 0.1)
        // Validation curves, NaN after the divergence.
        let (curve, shape) = try file.root.dataset("curves/validation_error").readFloats()
        XCTAssertEqual(shape, [2, 3])
        XCTAssertEqual(Array(curve[0..<5]), [0.3, 0.2, 0.25, 0.3, 0.2])
        XCTAssertTrue(curve[5].isNaN)
        let (grid, _) = try file.root.dataset("grid/best_test_error").readDoubles()
        XCTAssertEqual(grid[0], 0.24)
        XCTAssertTrue(grid[1].isNaN)

        // Everything reads back.
        let read = try ResultsFile.readAll(at: path)
        XCTAssertEqual(read[0].epochs.map(\.validationError), [0.3, 0.2, 0.25].map { Double(Float($0)) })
        XCTAssertEqual(read[1].appliedLambdas, [0.004, 0.003])
        XCTAssertEqual(read[0].best?.epoch, 2)
    }

    func testWithoutValidationTheFileSaysSelectionUsedTheTestSplit() throws {
        let runs = [run(0, lambda: 0.1, seed: 0, validation: false)]
        let records = [RunRecord(run: runs[0], status: .finished, message: "",
                                 epochs: epochs(validation: [.nan, .nan, .nan], test: [0.3, 0.2, 0.25]), parameters: [],
                                 effectiveLambda: 0.1, seconds: 1)]
        let path = try write(records, plan: plan(runs, lambdas: [0.1]), name: "test-selected.h5")
        let file = try HDF5File.open(at: path)
        XCTAssertEqual(try file.root.stringAttribute("selected_on"), "test")
        let table = try file.root.dataset("runs").readTable()
        XCTAssertEqual(column(table, "best_test_error"), [0.2])
        XCTAssertTrue(column(table, "final_validation_error")[0].isNaN)
        XCTAssertEqual(try ResultsFile.readAll(at: path).first?.best?.epoch, 2)
    }
}
