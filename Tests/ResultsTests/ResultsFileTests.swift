import Datasets
import Foundation
import HDF5Store
import Planning
import Results
import Models
import Optimization
import Training
import XCTest

final class ResultsFileTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-results-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func run(_ index: Int, penalty: RegularizationSpec.Penalty, lambda: Double, seed: UInt64) -> PlannedRun {
        let configuration = RunConfiguration(
            data: DataSpec(source: .syntheticClassification), model: ModelSpec(kind: .softmax),
            optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01),
            regularization: RegularizationSpec(penalty: penalty, lambda: lambda), schedule: ScheduleSpec(),
            training: TrainingSpec(epochs: 4, seed: seed))
        return PlannedRun(index: index, block: 0, coordinates: [
            .init(axis: "penalty", label: penalty.rawValue), .init(axis: "lambda", label: String(lambda)),
            .init(axis: "seed", label: String(seed)),
        ], configuration: configuration)
    }

    func epochs(_ count: Int, error: Double) -> [EpochRecord] {
        (1...count).map { EpochRecord(epoch: $0, multiplier: 1, trainLoss: 1 / Double($0), testLoss: 1.5 / Double($0),
                                      trainError: error / 2, testError: error + 0.01 * Double(4 - $0),
                                      weightNorm: Double($0), seconds: 0.25) }
    }

    func fixture() -> (GridPlan, [RunRecord]) {
        let runs = [run(0, penalty: .l2, lambda: 0.001, seed: 0), run(1, penalty: .l2, lambda: 0.001, seed: 1),
                    run(2, penalty: .decoupled, lambda: 0.1, seed: 0), run(3, penalty: .decoupled, lambda: 0.1, seed: 1)]
        let plan = GridPlan(name: "fixture", description: "round trip", sourceText: "name: fixture\n", canonicalText: "{}",
                            axes: [.init(name: "penalty", labels: ["l2", "decoupled"]),
                                   .init(name: "lambda", labels: ["0.001", "0.1"], values: [0.001, 0.1]),
                                   .init(name: "seed", labels: ["0", "1"], values: [0, 1])],
                            runs: runs, storesParameters: true)
        let records = [
            RunRecord(run: runs[0], status: .finished, message: "", epochs: epochs(4, error: 0.2),
                      parameters: [.init(name: "layer0.weight", shape: [3, 20], values: (0..<60).map(Float.init)),
                                   .init(name: "layer0.bias", shape: [3], values: [1, 2, 3])],
                      effectiveLambda: 0.001, seconds: 1.5),
            RunRecord(run: runs[1], status: .diverged, message: "non-finite training loss", epochs: epochs(2, error: 0.5),
                      parameters: [], effectiveLambda: 0.001, seconds: 0.5),
            RunRecord(run: runs[2], status: .finished, message: "", epochs: epochs(4, error: 0.1), parameters: [],
                      effectiveLambda: 0.1, seconds: 1.25),
            RunRecord.pending(runs[3]),
        ]
        return (plan, records)
    }

    func testDataFileListsAreStoredOnceAndASchema2ListInTheRunStillReads() throws {
        let (plan, records) = fixture()
        let fingerprint = DataFileFingerprint(role: "train-images", path: "/data/train.gz", bytes: 12, sha256: String(repeating: "a", count: 64))
        var metadata = ResultsFile.Metadata(kind: "grid", commandLine: "test", jobs: 1, blasThreads: 1,
                                            startedUTC: Date(), finishedUTC: Date(), complete: false, provenance: .fixture)
        metadata.dataFiles = [records[0].run.configuration.data: [fingerprint]]
        let path = directory.appendingPathComponent("lists.h5").path
        try ResultsFile.write(records: records, plan: plan, metadata: metadata, to: path)
        for record in records {
            XCTAssertEqual(try ResultsFile.dataFiles(at: path, key: record.run.key), [fingerprint])
        }
        let file = try HDF5File.open(at: path, mode: .readWrite)
        XCTAssertEqual(Set(try file.root.group("data_files").attributeNames()), ["0", "description"])
        XCTAssertEqual(try file.root.group("config/\(records[2].run.key)").int64Attribute("data_files_id"), 0)

        // Schema 2 kept the list in the run's own attribute; it wins where present.
        let older = DataFileFingerprint(role: "csv", path: "/data/old.csv", bytes: 3, sha256: String(repeating: "b", count: 64))
        try file.root.group("config/\(records[1].run.key)")
            .setAttribute("data_files", .string(#"[{"bytes":3,"path":"/data/old.csv","role":"csv","sha256":"\#(older.sha256)"}]"#))
        // A run naming a list the file lacks is damage, said as such.
        try file.root.group("config/\(records[2].run.key)").setAttribute("data_files_id", .int64(7))
        try file.close()
        XCTAssertEqual(try ResultsFile.dataFiles(at: path, key: records[1].run.key), [older])
        XCTAssertThrowsError(try ResultsFile.dataFiles(at: path, key: records[2].run.key)) { error in
            XCTAssertTrue("\(error)".contains("names data-file list 7, which /data_files lacks"), "\(error)")
        }
    }

    func testDeclaredClaimsSurviveAWriteAndAFileWithoutThemDeclaresNone() throws {
        var (plan, records) = fixture()
        let metadata = ResultsFile.Metadata(kind: "grid", commandLine: "test", jobs: 1, blasThreads: 1,
                                            startedUTC: Date(), finishedUTC: Date(), complete: false, provenance: .fixture)
        let undeclared = directory.appendingPathComponent("undeclared.h5").path
        try ResultsFile.write(records: records, plan: plan, metadata: metadata, to: undeclared)
        XCTAssertEqual(try ResultsFile.declaredClaims(at: undeclared), [])

        plan.claims = ["generalization-adamw", "adam-l2-gains-little"]
        let declared = directory.appendingPathComponent("declared.h5").path
        try ResultsFile.write(records: records, plan: plan, metadata: metadata, to: declared)
        XCTAssertEqual(try ResultsFile.declaredClaims(at: declared), ["generalization-adamw", "adam-l2-gains-little"])
        XCTAssertEqual(try HDF5File.open(at: declared).root.stringAttribute("claims"), "generalization-adamw,adam-l2-gains-little")
    }

    func testRecordsSurviveAWriteAndReadBack() throws {
        let (plan, records) = fixture()
        let path = directory.appendingPathComponent("fixture.h5").path
        let metadata = ResultsFile.Metadata(kind: "grid", commandLine: "test", jobs: 2, blasThreads: 1,
                                            startedUTC: Date(), finishedUTC: Date(), complete: false,
                                            provenance: .fixture)
        try ResultsFile.write(records: records, plan: plan, metadata: metadata, to: path)
        let read = try ResultsFile.readRecords(at: path, plan: plan)
        XCTAssertEqual(read.map(\.status), [.finished, .diverged, .finished, .pending])
        XCTAssertEqual(read.map(\.run), plan.runs)
        XCTAssertEqual(read[1].message, "non-finite training loss")
        XCTAssertEqual(read[0].parameters, records[0].parameters)
        XCTAssertEqual(read[1].epochs.count, 2)
        for (a, b) in zip(read[0].epochs, records[0].epochs) {
            // Curves are float32 on disk.
            XCTAssertEqual(a.testError, Double(Float(b.testError)))
            XCTAssertEqual(a.epoch, b.epoch)
        }
        XCTAssertEqual(try ResultsFile.canonicalGridText(at: path), "{}")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"), "no temporary left behind")
    }

    func testAJournalFileReadsBackAsTheSameRecordAsAFileForReaders() throws {
        var (_, records) = fixture()
        // Validation curves, several applied λ and a provenance: everything a record holds.
        records[2].epochs = records[2].epochs.map { epoch in
            var withValidation = epoch
            (withValidation.validationLoss, withValidation.validationError) = (0.7, 0.3)
            return withValidation
        }
        records[2].appliedLambdas = [0.1, 0.05]
        records[0].computedBy = RunProvenance(host: "node7", blasCore: "Zen", cpu: "AMD EPYC", gitCommit: "abc1234")
        var metadata = ResultsFile.Metadata.shard(commandLine: "test", provenance: .fixture)
        let fingerprint = DataFileFingerprint(role: "train-images", path: "/data/train.gz", bytes: 12, sha256: String(repeating: "c", count: 64))
        metadata.dataFiles = [records[0].run.configuration.data: [fingerprint]]
        /// Everything a record holds, NaN written as such.
        func described(_ record: RunRecord) -> String {
            "\(record.run) \(record.status) \(record.message) \(record.epochs) \(record.parameters) "
                + "\(record.effectiveLambda) \(record.appliedLambdas) \(record.seconds) \(record.computedBy)"
        }
        for record in records {
            let forReaders = directory.appendingPathComponent("readers-\(record.run.index).h5").path
            let forJournal = directory.appendingPathComponent("journal-\(record.run.index).h5").path
            try ResultsFile.write(records: [record], plan: nil, metadata: metadata, to: forReaders)
            try ResultsFile.write(records: [record], plan: nil, metadata: metadata, to: forJournal, durable: false, for: .journal)
            let fromJournal = try ResultsFile.readShard(at: forJournal)
            XCTAssertEqual(described(fromJournal), described(try ResultsFile.readShard(at: forReaders)), "run \(record.run.index)")
            XCTAssertEqual(fromJournal.run.key, record.run.key)
            XCTAssertEqual(try ResultsFile.dataFiles(at: forJournal, key: record.run.key), [fingerprint])

            // What only people and their tools need is left out of the journal's file.
            let journal = try HDF5File.open(at: forJournal), readers = try HDF5File.open(at: forReaders)
            for name in ["run", "epoch", "key", "penalty"] {
                XCTAssertTrue(try readers.root.group("curves").contains(name), name)
                XCTAssertFalse(try journal.root.group("curves").contains(name), name)
            }
            XCTAssertFalse(try journal.root.dataset("runs").hasAttribute("description"))
            XCTAssertFalse(try journal.root.group("config/\(record.run.key)").hasAttribute("stream_seed"))
            XCTAssertTrue(try readers.root.group("config/\(record.run.key)").hasAttribute("stream_seed"))
        }
    }

    /// The fixture's records written as an incomplete grid file named `name`.h5.
    func writtenFixture(_ name: String) throws -> String {
        let (plan, records) = fixture()
        let path = directory.appendingPathComponent("\(name).h5").path
        try ResultsFile.write(records: records, plan: plan,
                              metadata: .init(kind: "grid", commandLine: "", jobs: 1, blasThreads: 1, startedUTC: Date(), finishedUTC: Date(), complete: false,
                                            provenance: .fixture),
                              to: path)
        return path
    }

    func testCurvesAreNaNAfterADivergenceAndGridCellsNaNWithoutAResult() throws {
        let path = try writtenFixture("nan")
        let file = try HDF5File.open(at: path)
        let (curve, shape) = try file.root.dataset("curves/test_error").readFloats()
        XCTAssertEqual(shape, [4, 4])
        XCTAssertTrue(curve[4..<6].allSatisfy(\.isFinite))        // the diverged run's two epochs
        XCTAssertTrue(curve[6..<8].allSatisfy(\.isNaN))           // and nothing after
        XCTAssertTrue(curve[12..<16].allSatisfy(\.isNaN))         // the pending run
        let (grid, gridShape) = try file.root.dataset("grid/test_error").readDoubles()
        XCTAssertEqual(gridShape, [2, 2, 2])
        // penalty × lambda × seed: (l2, 0.1) and (decoupled, 0.001) have no runs; (decoupled, 0.1, 1) is pending;
        // (l2, 0.001, 1) diverged, so it is not a result either.
        XCTAssertEqual(grid.map { $0.isNaN }, [false, true, true, true, true, true, false, true])
        let (diverged, _) = try file.root.dataset("grid/diverged").readDoubles()
        XCTAssertEqual(diverged[1], 1)
        XCTAssertEqual(diverged[0], 0)
        let (index, _) = try file.root.dataset("grid/run_index").readInt64s()
        XCTAssertEqual(index, [0, 1, -1, -1, -1, -1, 2, 3])
        XCTAssertTrue(try file.root.dataset("grid/test_error").hasDimensionScale(file.root.dataset("grid/lambda"), atDimension: 1))
    }

    func testProvenanceIsRecordedAsGivenNotAsTheReaderFindsIt() throws {
        let (plan, records) = fixture()
        let path = directory.appendingPathComponent("provenance.h5").path
        try ResultsFile.write(records: records, plan: plan,
                              metadata: .init(kind: "grid", commandLine: "decaybench run g.yaml", jobs: 3, blasThreads: 1,
                                              startedUTC: Date(), finishedUTC: Date(), complete: false, provenance: .fixture),
                              to: path)
        let root = try HDF5File.open(at: path).root
        XCTAssertEqual(try root.attribute("git_commit"), .string("0123abcd"))
        XCTAssertEqual(try root.attribute("blas_core"), .string("Testcore"))
        XCTAssertEqual(try root.attribute("host"), .string("fixture-host"))
        XCTAssertEqual(try root.attribute("logical_cores"), .int64(7))
        XCTAssertEqual(try root.attribute("jobs"), .int64(3))
        XCTAssertEqual(try root.attribute("complete"), .int64(0))
    }

    func testBestEpochIsTheLowestTestErrorEarliestOnTiesAndNeverNaN() {
        let (plan, _) = fixture()
        func epoch(_ number: Int, _ testError: Double) -> EpochRecord {
            EpochRecord(epoch: number, multiplier: 1, trainLoss: 0, testLoss: 0, trainError: 0, testError: testError,
                        weightNorm: 0, seconds: 0)
        }
        func best(_ errors: [Double]) -> Int? {
            RunRecord(run: plan.runs[0], status: .finished, message: "",
                      epochs: errors.enumerated().map { epoch($0.offset + 1, $0.element) },
                      parameters: [], effectiveLambda: 0, seconds: 0).best?.epoch
        }
        XCTAssertEqual(best([0.3, 0.1, 0.2]), 2)
        XCTAssertEqual(best([0.3, 0.1, 0.1]), 2, "the earliest of equal errors")
        XCTAssertEqual(best([.nan, 0.4, .nan]), 2, "a NaN epoch never wins")
        XCTAssertNil(best([.nan, .nan]), "with no finite epoch, none: its metrics are NaN, not a made-up choice")
        XCTAssertNil(best([]))
    }

    /// Readers that need some runs, or no tensors, read only those; the file's structure is
    /// still checked whole.
    func testSomeRunsOrNoTensorsAreReadAsTheWholeFileHasThem() throws {
        let path = try writtenFixture("some")
        let all = try ResultsFile.readAll(at: path)
        XCTAssertEqual(all[0].parameters.map(\.name), ["layer0.weight", "layer0.bias"])
        let keys = all.map(\.run.key)

        let some = try ResultsFile.read(at: path, keys: [keys[2], keys[0]])
        XCTAssertEqual(some.map(\.run.key), [keys[0], keys[2]], "in file order")
        XCTAssertEqual(some[0].parameters, all[0].parameters)
        XCTAssertEqual(some[1].epochs.map(\.testError), all[2].epochs.map(\.testError))
        XCTAssertEqual(try ResultsFile.read(at: path, keys: []).count, 0)

        let metricsOnly = try ResultsFile.read(at: path, tensors: .shapes)
        XCTAssertEqual(metricsOnly.map(\.run.key), keys)
        XCTAssertEqual(metricsOnly.map(\.status), all.map(\.status))
        XCTAssertEqual(metricsOnly.map { $0.epochs.map(\.testLoss) }, all.map { $0.epochs.map(\.testLoss) })
        XCTAssertTrue(metricsOnly.allSatisfy { $0.parameters.isEmpty })

        // Shapes are still checked: a tensor too many is damage, whatever is read of it.
        let extra = directory.appendingPathComponent("extra.h5").path
        try FileManager.default.copyItem(atPath: path, toPath: extra)
        do {
            let file = try HDF5File.open(at: extra, mode: .readWrite)
            try file.root.group("params/\(keys[0])").writeDataset("layer0.extra", [Float(1)], shape: [1])
            try file.close()
        }
        XCTAssertThrowsError(try ResultsFile.read(at: extra, tensors: .shapes)) { error in
            XCTAssertTrue("\(error)".contains("unexpected tensors layer0.extra"), "\(error)")
        }

        // Row 3 says it comes before row 2 in the grid: reading run 0 alone still finds it,
        // since a key moved between rows may be any two rows.
        let file = try HDF5File.open(at: path, mode: .readWrite)
        try file.root.group("config/\(keys[3])").setAttribute("index", .int64(1))
        try file.close()
        for read in [{ try ResultsFile.read(at: path, keys: [keys[0]]) }, { try ResultsFile.read(at: path, tensors: .shapes) }] {
            XCTAssertThrowsError(try read()) { error in
                XCTAssertTrue("\(error)".contains("out of grid order"), "\(error)")
            }
        }
    }

    func testAResultsFileWithInconsistentCurvesIsReportedNotTrappedOn() throws {
        let path = try writtenFixture("damaged")
        // Rewrite /runs with a run claiming more epochs than the curves hold.
        let file = try HDF5File.open(at: path, mode: .readWrite)
        var table = try file.root.dataset("runs").readTable()
        for (position, column) in table.columns.enumerated() {
            if case .int64("epochs_done", var values) = column {
                values[0] = 99
                table.columns[position] = .int64("epochs_done", values)
            }
        }
        try file.close()
        let rewritten = directory.appendingPathComponent("damaged2.h5").path
        let copy = try HDF5File.create(at: rewritten)
        try copy.root.setAttribute("schema_version", .int64(ResultsFile.schemaVersion))
        try copy.root.writeTable("runs", table)
        let source = try HDF5File.open(at: path)
        let curves = try copy.root.createGroup("curves")
        // The curves are the 2-D datasets; the 1-D ones are dimension scales and run labels.
        for name in try source.root.group("curves").childNames() where try source.root.dataset("curves/\(name)").shape.count == 2 {
            let (values, shape) = try source.root.dataset("curves/\(name)").readFloats()
            try curves.writeDataset(name, values, shape: shape)
        }
        try copy.close()
        XCTAssertThrowsError(try ResultsFile.readAll(at: rewritten)) { error in
            XCTAssertTrue("\(error)".contains("claims 99 epochs"), "\(error)")
        }
    }
}

extension Provenance {
    /// A provenance no machine has, so a test can tell it from the current one.
    static let fixture = Provenance(
        harnessVersion: "9.9.9", gitCommit: "0123abcd", swiftVersion: "6.3", hdf5Version: "1.10.8",
        openBLASConfiguration: "OpenBLAS 0.3.21", blasCoreName: "Testcore", cpu: "Fixture CPU", logicalCores: 7,
        hostName: "fixture-host", openBLASEnvironment: "")
}
