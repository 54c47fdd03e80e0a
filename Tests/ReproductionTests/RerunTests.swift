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
        var runs = try StoredRun.loadAll(from: path)
        runs[0].record.status = .pending
        let first = VerificationSample.choose(2, of: runs, seed: 7).map(\.key)
        XCTAssertEqual(first, VerificationSample.choose(2, of: runs, seed: 7).map(\.key))
        XCTAssertEqual(first.count, 2)
        XCTAssertFalse(first.contains(runs[0].key))
        XCTAssertEqual(VerificationSample.choose(10, of: runs, seed: 7).count, 3)
    }
}
