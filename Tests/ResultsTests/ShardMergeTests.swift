import Datasets
import Foundation
import Models
import Optimization
import Planning
import Results
import Training
import XCTest

/// Shard files joined into one grid: every run once, in grid order, with where it was computed.
final class ShardMergeTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Six runs (λ × seed) of one grid.
    func grid(canonical: String = "{\"name\":\"merge\"}") -> GridPlan {
        let runs = (0..<6).map { index -> PlannedRun in
            let lambda = [0.0, 0.01, 0.1][index / 2], seed = UInt64(index % 2)
            let configuration = RunConfiguration(
                data: DataSpec(source: .syntheticClassification), model: ModelSpec(kind: .softmax),
                optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01),
                regularization: RegularizationSpec(penalty: .decoupled, lambda: lambda), schedule: ScheduleSpec(),
                training: TrainingSpec(epochs: 2, seed: seed))
            return PlannedRun(index: index, block: 0, coordinates: [.init(axis: "lambda", label: NumberLabel.format(lambda)),
                                                                    .init(axis: "seed", label: String(seed))],
                              configuration: configuration)
        }
        return GridPlan(name: "merge", description: "", sourceText: "name: merge\n", canonicalText: canonical,
                        axes: [.init(name: "lambda", labels: ["0", "0.01", "0.1"], values: [0, 0.01, 0.1]),
                               .init(name: "seed", labels: ["0", "1"], values: [0, 1])],
                        runs: runs, storesParameters: false)
    }

    func finished(_ run: PlannedRun, host: String) -> RunRecord {
        let epochs = [1, 2].map { EpochRecord(epoch: $0, multiplier: 1, trainLoss: 0.5, testLoss: 0.6, trainError: 0.1,
                                              testError: 0.2 + Double(run.index) / 100, weightNorm: 1, seconds: 0.1) }
        return RunRecord(run: run, status: .finished, message: "", epochs: epochs, parameters: [], effectiveLambda: 0, seconds: 1,
                         computedBy: RunProvenance(host: host, blasCore: "Haswell", cpu: "cpu of \(host)", gitCommit: "abc"))
    }

    /// Writes the shard `index` of `count` of `plan`, computed on `host`, and returns its path.
    func writeShard(_ plan: GridPlan, _ index: Int, of count: Int, host: String) throws -> String {
        let shard = try plan.restricted(to: try Shard(index: index, count: count))
        let path = directory.appendingPathComponent("shard-\(index).h5").path
        try ResultsFile.write(records: shard.runs.map { finished($0, host: host) }, plan: shard,
                              metadata: .init(kind: "grid", commandLine: "", jobs: 1, blasThreads: 1, startedUTC: Date(),
                                              finishedUTC: Date(), complete: true, provenance: .fixture),
                              to: path)
        return path
    }

    func testShardsFromSeveralHostsMergeInGridOrderKeepingWhereEachRunWasComputed() throws {
        let plan = grid()
        let paths = try [3, 1, 2].map { try writeShard(plan, $0, of: 3, host: "node\($0)") }
        XCTAssertEqual(try ResultsFile.shardText(at: paths[0]), "3/3")
        let merge = try ShardMerge(plan: plan, paths: paths)
        XCTAssertTrue(merge.missing.isEmpty)
        XCTAssertEqual(merge.records.map(\.run), plan.runs)
        XCTAssertEqual(Set(merge.records.map(\.computedBy.host)), ["node1", "node2", "node3"])

        let out = directory.appendingPathComponent("merged.h5").path
        try ResultsFile.write(records: merge.records, plan: plan,
                              metadata: .init(kind: "grid", commandLine: "", jobs: 1, blasThreads: 1, startedUTC: merge.startedUTC,
                                              finishedUTC: merge.finishedUTC, complete: true, provenance: .fixture),
                              to: out)
        let read = try ResultsFile.readAll(at: out)
        XCTAssertEqual(read.map(\.computedBy), merge.records.map(\.computedBy))
        XCTAssertEqual(read.map { $0.final?.testError }, merge.records.map { $0.final?.testError })
    }

    func testAMissingShardLeavesItsRunsPendingAndListed() throws {
        let plan = grid()
        let paths = try [1, 3].map { try writeShard(plan, $0, of: 3, host: "node") }
        let merge = try ShardMerge(plan: plan, paths: paths)
        let absent = try plan.restricted(to: try Shard(index: 2, count: 3)).runs
        XCTAssertEqual(merge.missing, absent)
        XCTAssertEqual(merge.records.filter { $0.status == .pending }.map(\.run), absent)
        XCTAssertTrue(merge.records.filter { $0.status == .pending }.allSatisfy { $0.computedBy == .unknown })
    }

    func testARunInTwoFilesIsRefusedNamingBoth() throws {
        let plan = grid()
        let first = try writeShard(plan, 1, of: 2, host: "a")
        let copy = directory.appendingPathComponent("copy.h5").path
        try FileManager.default.copyItem(atPath: first, toPath: copy)
        XCTAssertThrowsError(try ShardMerge(plan: plan, paths: [first, copy])) { error in
            XCTAssertTrue("\(error)".contains("is in both \(first) and \(copy)"), "\(error)")
        }
    }

    func testAShardOfAnotherGridIsRefusedWithTheDifference() throws {
        let path = try writeShard(grid(canonical: "{\"name\":\"merge\",\"epochs\":3}"), 1, of: 2, host: "a")
        XCTAssertThrowsError(try ShardMerge(plan: grid(), paths: [path])) { error in
            XCTAssertTrue("\(error)".contains("holds another grid") && "\(error)".contains("epochs"), "\(error)")
        }
    }
}
