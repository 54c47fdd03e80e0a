import Datasets
import Foundation
import HDF5Store
import Models
import Optimization
import Planning
import Reproduction
import Results
import Runner
import Training
import XCTest

/// Runs rebuilt from a freshly written results file train to the same bits, and a file that
/// was edited afterwards is caught.
final class RerunTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-rerun-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Four runs (two optimizers × two seeds) of a small MLP, run as a grid into a results file.
    func writtenGrid() throws -> String {
        var runs: [PlannedRun] = []
        for optimizer in [OptimizerSpec.Kind.adam, .sgdMomentum] {
            for seed in [UInt64(0), 1] {
                let configuration = RunConfiguration(
                    data: DataSpec(source: .syntheticClassification, samples: 200, features: 5, classes: 3, noise: 1),
                    model: ModelSpec(kind: .mlp, hidden: [6], activation: .tanh, initialization: .glorot),
                    optimizer: OptimizerSpec(kind: optimizer, learningRate: 0.05),
                    regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.01), schedule: ScheduleSpec(kind: .cosine),
                    training: TrainingSpec(epochs: 3, batchSize: 32, seed: seed))
                runs.append(PlannedRun(index: runs.count, block: 0,
                                       coordinates: [.init(axis: "optimizer", label: optimizer.rawValue), .init(axis: "seed", label: "\(seed)")],
                                       configuration: configuration))
            }
        }
        let plan = GridPlan(name: "rerun-test", description: "", sourceText: "", canonicalText: "{}",
                            axes: [.init(name: "optimizer", labels: ["adam", "sgd-momentum"]),
                                   .init(name: "seed", labels: ["0", "1"], values: [0, 1])],
                            runs: runs, storesParameters: true)
        let path = directory + "/grid.h5"
        _ = try GridRunner(plan: plan, options: .init(resultsPath: path, jobs: 2, resume: false, overwrite: false, commandLine: "test")).run()
        return path
    }

    func testEveryRunOfAFreshFileRerunsBitForBit() throws {
        let path = try writtenGrid()
        let runs = try StoredRun.loadAll(from: path)
        XCTAssertEqual(runs.count, 4)
        var datasets: [DataSpec: Dataset] = [:]
        for stored in runs {
            XCTAssertEqual(stored.configurationProblems, [])
            XCTAssertEqual(stored.configurationFormat, ConfigurationFormat.current)
            XCTAssertEqual(stored.dataFiles, [], "synthetic data reads no file")
            let rerun = try RunReplay.rerun(stored, datasets: &datasets)
            let comparison = RunComparison(stored: stored.record, rerun: rerun)
            XCTAssertTrue(comparison.identical, comparison.summary)
            XCTAssertEqual(comparison.comparedTensors, 4, "two layers' weights and biases")
            XCTAssertTrue(comparison.summary.hasPrefix("bit-identical"), comparison.summary)
        }
    }

    func testAChangedNumberIsReportedWithItsSizeAndEpoch() throws {
        let path = try writtenGrid()
        var stored = try StoredRun.loadAll(from: path)[1]
        var datasets: [DataSpec: Dataset] = [:]
        let rerun = try RunReplay.rerun(stored, datasets: &datasets)
        stored.record.epochs[1].testError += 0.125
        let comparison = RunComparison(stored: stored.record, rerun: rerun)
        XCTAssertFalse(comparison.identical)
        XCTAssertEqual(comparison.differences.map(\.quantity), ["test_error"])
        XCTAssertEqual(comparison.differences[0].firstEpoch, 2)
        XCTAssertEqual(comparison.differences[0].largestAbsolute, 0.125, accuracy: 1e-6)
        XCTAssertTrue(comparison.summary.contains("test_error: 1 of 3 values differ"), comparison.summary)
    }

    /// Validation error chooses best epochs and cells, so an edited validation curve must fail
    /// a rerun like any other; without a split its NaNs match whatever NaN the file kept.
    func testValidationCurvesAreComparedAndTheirNaNsMatchAnyNaN() throws {
        let path = try writtenGrid()
        let stored = try StoredRun.loadAll(from: path)[0].record
        XCTAssertTrue(stored.epochs.allSatisfy { $0.validationError.isNaN }, "this grid has no validation split")
        var otherNaN = stored
        for epoch in otherNaN.epochs.indices { otherNaN.epochs[epoch].validationLoss = Double(Float(bitPattern: 0x7fc0_1234)) }
        XCTAssertTrue(RunComparison(stored: otherNaN, rerun: stored).identical)

        var edited = stored
        edited.epochs[2].validationError = 0.9
        let comparison = RunComparison(stored: edited, rerun: stored)
        XCTAssertEqual(comparison.differences.map(\.quantity), ["validation_error"])
        XCTAssertEqual(comparison.differences[0].firstEpoch, 3)

        var withSplit = stored
        for epoch in withSplit.epochs.indices { withSplit.epochs[epoch].validationLoss = 0.5 + Double(epoch) }
        var moved = withSplit
        moved.epochs[0].validationLoss = Double(Float(0.5).nextUp)
        XCTAssertTrue(RunComparison(stored: withSplit, rerun: withSplit).identical)
        XCTAssertEqual(RunComparison(stored: moved, rerun: withSplit).differences.map(\.quantity), ["validation_loss"])
    }

    func testAnAlteredStoredConfigurationIsDetected() throws {
        let path = try writtenGrid()
        let key = try ResultsFile.runKeys(at: path)[2]
        do {
            let file = try HDF5File.open(at: path, mode: .readWrite)
            try file.root.group("config/\(key)").setAttribute("optimizer.learningRate", .double(0.5))
            try file.close()
        }
        let stored = try StoredRun.load(from: path, key: key)
        XCTAssertEqual(stored.configurationProblems.count, 1)
        XCTAssertTrue(stored.configurationProblems[0].contains("optimizer.learningRate"), "\(stored.configurationProblems)")
        var datasets: [DataSpec: Dataset] = [:]
        XCTAssertThrowsError(try RunReplay.rerun(stored, datasets: &datasets)) { error in
            XCTAssertTrue("\(error)".contains("was altered"), "\(error)")
        }
    }

    func testAnEditedConfigurationJSONNoLongerMatchesItsKey() throws {
        let path = try writtenGrid()
        let key = try ResultsFile.runKeys(at: path)[0]
        do {
            let file = try HDF5File.open(at: path, mode: .readWrite)
            let group = try file.root.group("config/\(key)")
            let json = try group.stringAttribute("json").replacingOccurrences(of: "\"epochs\":3", with: "\"epochs\":4")
            XCTAssertNotEqual(json, try group.stringAttribute("json"), "the edit must change something")
            try group.setAttribute("json", .string(json))
            try file.close()
        }
        let problems = try ResultsFile.configurationProblems(at: path, key: key)
        XCTAssertTrue(problems.contains { $0.contains("hashes to key") }, "\(problems)")
    }

    func testANewerConfigurationFormatIsRefusedWithTheReason() {
        XCTAssertNoThrow(try ConfigurationFormat.check(ConfigurationFormat.current))
        XCTAssertThrowsError(try ConfigurationFormat.check(ConfigurationFormat.current + 1)) { error in
            XCTAssertTrue("\(error)".contains("newer than this decaybench's"), "\(error)")
        }
    }

    func testTheVerificationSampleIsSeededAndSkipsPendingRuns() throws {
        let path = try writtenGrid()
        var runs = try ResultsFile.runStatuses(at: path)
        XCTAssertEqual(runs.count, 4)
        runs[0].status = .pending
        let first = VerificationSample.choose(2, of: runs, seed: 7)
        XCTAssertEqual(first, VerificationSample.choose(2, of: runs, seed: 7))
        XCTAssertEqual(first.count, 2)
        XCTAssertFalse(first.contains(runs[0].key))
        XCTAssertEqual(first, runs.map(\.key).filter(first.contains), "in file order")
        XCTAssertEqual(VerificationSample.choose(10, of: runs, seed: 7), runs.dropFirst().map(\.key))
        // The seed decides the pair: a sample that ignored it would pick one pair for all.
        XCTAssertEqual(Set((0..<20).map { VerificationSample.choose(2, of: runs, seed: $0) }).count, 3)
    }

    /// `rerun --key` and a sampled `verify` read the runs they rerun, not the whole file: one
    /// run loaded alone is the run `loadAll` has, and a run damaged elsewhere in the file
    /// does not stop it, while the damaged run itself is still refused.
    func testOneRunLoadsAloneAsTheWholeFileHasIt() throws {
        let path = try writtenGrid()
        let all = try StoredRun.loadAll(from: path)
        for stored in all {
            let alone = try StoredRun.load(from: path, key: String(stored.key.prefix(6)))
            XCTAssertEqual(alone.key, stored.key)
            XCTAssertEqual(alone.record.run.configuration, stored.record.run.configuration)
            XCTAssertEqual(alone.record.run.index, stored.record.run.index)
            XCTAssertEqual(alone.record.status, stored.record.status)
            XCTAssertEqual(alone.record.epochs.map(\.testLoss), stored.record.epochs.map(\.testLoss))
            XCTAssertEqual(alone.record.parameters, stored.record.parameters)
            XCTAssertFalse(alone.record.parameters.isEmpty)
            XCTAssertEqual(alone.dataFiles, stored.dataFiles)
            XCTAssertEqual(alone.configurationProblems, [])
        }
        let two = try StoredRun.load(from: path, keys: [all[3].key, all[1].key])
        XCTAssertEqual(two.map(\.key), [all[1].key, all[3].key], "in file order")

        let damaged = all[2].key
        let file = try HDF5File.open(at: path, mode: .readWrite)
        try file.root.group("params/\(damaged)").writeDataset("layer0.extra", [Float(1)], shape: [1])
        try file.close()
        XCTAssertEqual(try StoredRun.load(from: path, key: all[0].key).record.parameters, all[0].record.parameters)
        XCTAssertThrowsError(try StoredRun.load(from: path, key: damaged)) { error in
            XCTAssertTrue("\(error)".contains("unexpected tensors layer0.extra"), "\(error)")
        }
        XCTAssertThrowsError(try StoredRun.loadAll(from: path))
        XCTAssertThrowsError(try StoredRun.load(from: path, key: "ffffffffffffffff")) { error in
            XCTAssertTrue("\(error)".contains("has no run ffffffffffffffff; its runs are"), "\(error)")
        }
    }

    /// A run computed with another OpenBLAS core's kernels names that core, so that `rerun` and
    /// `verify` can say how to ask for it; the same core, or a recorded name that is not one
    /// (an older file, a damaged one), names none.
    func testTheRecordedBLASCoreIsNamedOnlyWhenOpenBLASChoseAnotherHere() throws {
        var stored = try StoredRun.loadAll(from: try writtenGrid())[0]
        var here = Provenance.current()
        here.blasCoreName = "Cooperlake"
        stored.record.computedBy.blasCore = "Zen"
        XCTAssertEqual(EnvironmentDrift(stored: stored, current: here).recordedBLASCoreToRequest, "Zen")
        here.blasCoreName = "Zen"
        XCTAssertNil(EnvironmentDrift(stored: stored, current: here).recordedBLASCoreToRequest)
        here.blasCoreName = "Cooperlake"
        for notACore in ["unknown", "Zen; rm -rf /", "Sky lake", "Zen\u{1B}[2J"] {
            stored.record.computedBy.blasCore = notACore
            XCTAssertNil(EnvironmentDrift(stored: stored, current: here).recordedBLASCoreToRequest, notACore)
        }
        // Without a run's own record, the core of the process that wrote the file counts.
        stored.record.computedBy.blasCore = ""
        stored.provenance.blasCoreName = "Haswell"
        XCTAssertEqual(EnvironmentDrift(stored: stored, current: here).recordedBLASCoreToRequest, "Haswell")
        stored.provenance.blasCoreName = ""
        XCTAssertNil(EnvironmentDrift(stored: stored, current: here).recordedBLASCoreToRequest)
    }
}
