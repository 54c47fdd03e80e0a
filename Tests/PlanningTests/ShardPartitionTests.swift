import Datasets
import Models
import Optimization
import Planning
import Training
import XCTest

/// The shards of a grid: together every run once, balanced by estimated cost, the same everywhere.
final class ShardPartitionTests: XCTestCase {
    /// A grid of `count` runs whose costs vary with hidden width and epochs (or are all equal).
    func plan(runs count: Int, uniform: Bool) -> GridPlan {
        let runs = (0..<count).map { index -> PlannedRun in
            let width = uniform ? 16 : [4, 16, 64, 256][index % 4]
            let epochs = uniform ? 5 : 1 + (index * 7) % 13
            let configuration = RunConfiguration(
                data: DataSpec(source: .syntheticClassification), model: ModelSpec(kind: .mlp, hidden: [width]),
                optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01), regularization: RegularizationSpec(penalty: .none, lambda: 0),
                schedule: ScheduleSpec(), training: TrainingSpec(epochs: epochs, seed: UInt64(index)))
            return PlannedRun(index: index, block: 0, coordinates: [.init(axis: "seed", label: String(index))], configuration: configuration)
        }
        return GridPlan(name: "shards", description: "", sourceText: "", canonicalText: "{\"name\":\"shards\"}",
                        axes: [.init(name: "seed", labels: runs.map { String($0.index) })], runs: runs, storesParameters: false)
    }

    func testShardsHoldEveryRunOnceAndAreBalancedForSeveralCounts() throws {
        for uniform in [true, false] {
            let grid = plan(runs: 37, uniform: uniform)
            let costs = grid.runs.map { RunCost.estimate($0.configuration) }
            for count in [1, 2, 3, 4, 7, 16, 37] {
                let shards = try (1...count).map { try grid.restricted(to: try Shard(index: $0, count: count)) }
                let indices = shards.flatMap { $0.runs.map(\.index) }
                XCTAssertEqual(indices.count, grid.runs.count, "N=\(count): a run is missing or twice")
                XCTAssertEqual(Set(indices), Set(grid.runs.map(\.index)), "N=\(count): union is not the grid")
                let loads = shards.map { $0.runs.map { costs[$0.index] }.reduce(0, +) }
                XCTAssertLessThanOrEqual(loads.max()! - loads.min()!, costs.max()! + 1e-9,
                                         "N=\(count): the heaviest shard exceeds the lightest by more than one run")
                if uniform {
                    let sizes = shards.map(\.runs.count)
                    XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "N=\(count): equal runs split unevenly \(sizes)")
                }
                for shard in shards {
                    XCTAssertEqual(shard.runs.map(\.index), shard.runs.map(\.index).sorted(), "a shard keeps grid order")
                    XCTAssertEqual(shard.canonicalText, grid.canonicalText)
                    XCTAssertEqual(shard.axes, grid.axes)
                }
            }
        }
    }

    /// The heap picks the shard a scan of every load picks: the least loaded, the lowest on
    /// ties, so sweeps already cut keep their shards.
    func testTheAssignmentIsTheOneAScanOfEveryShardGives() {
        func scanned(_ costs: [Double], _ count: Int) -> [Int] {
            let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
            var loads = [Double](repeating: 0, count: count), assignment = [Int](repeating: 0, count: costs.count)
            for run in order {
                let lightest = loads.indices.min { loads[$0] != loads[$1] ? loads[$0] < loads[$1] : $0 < $1 }!
                loads[lightest] += costs[run]
                assignment[run] = lightest + 1
            }
            return assignment
        }
        var random = SystemRandomNumberGenerator()
        for count in [1, 2, 3, 5, 8, 13, 64, 200] {
            // Few distinct costs: many ties, of costs and of loads.
            let tied = (0..<500).map { _ in Double(Int.random(in: 1...4, using: &random)) }
            let varied = (0..<500).map { _ in Double.random(in: 0.001...10, using: &random) }
            XCTAssertEqual(GridPlan.shardAssignment(costs: tied, count: count), scanned(tied, count), "N=\(count), tied costs")
            XCTAssertEqual(GridPlan.shardAssignment(costs: varied, count: count), scanned(varied, count), "N=\(count)")
        }
    }

    func testAllShardsAtOnceAreEachShardOnItsOwn() throws {
        let grid = plan(runs: 37, uniform: false)
        for count in [1, 4, 37] {
            let together = try grid.shards(count: count)
            let apart = try (1...count).map { try grid.restricted(to: try Shard(index: $0, count: count)) }
            XCTAssertEqual(together.map { $0.runs.map(\.key) }, apart.map { $0.runs.map(\.key) })
            XCTAssertEqual(together.map(\.shard), apart.map(\.shard))
        }
        XCTAssertThrowsError(try grid.shards(count: 38))
        for count in [0, -1] {  // (1...count) would trap
            XCTAssertThrowsError(try grid.shards(count: count)) { XCTAssertTrue("\($0)".contains("at least 1 shard"), "\($0)") }
        }
    }

    func testCostBalancingBeatsCountingRuns() throws {
        // One very costly run and many cheap ones: the costly run gets a shard of its own.
        var grid = plan(runs: 9, uniform: true)
        grid.runs[4].configuration.training.epochs = 40
        let shards = try (1...2).map { try grid.restricted(to: try Shard(index: $0, count: 2)) }
        let heavy = shards.first { $0.runs.contains { $0.index == 4 } }!
        XCTAssertEqual(heavy.runs.map(\.index), [4])
    }

    func testThePartitionIsTheSameEveryTime() throws {
        let grid = plan(runs: 23, uniform: false)
        let first = try grid.restricted(to: Shard(index: 2, count: 5)).runs.map(\.key)
        let again = try plan(runs: 23, uniform: false).restricted(to: Shard(index: 2, count: 5)).runs.map(\.key)
        XCTAssertEqual(first, again)
    }

    func testMoreShardsThanRunsAreRefusedBeforeAnyShardIsMade() throws {
        let grid = plan(runs: 3, uniform: true)
        XCTAssertEqual(try grid.restricted(to: Shard(index: 3, count: 3)).runs.count, 1)
        // 10^12 shards once allocated a load per shard and died; 2^63 − 1 trapped in min(by:).
        for count in [4, 1_000_000_000_000, Int.max] {
            XCTAssertThrowsError(try grid.restricted(to: Shard(index: 1, count: count))) { error in
                XCTAssertTrue("\(error)".contains("at most 3 shards, not \(count)"), "\(error)")
            }
        }
    }

    func testShardSpecificationsAreCheckedWithAClearMessage() {
        XCTAssertEqual(try Shard(parsing: "2/4"), try Shard(index: 2, count: 4))
        let expected = ["0/4": "numbered 1 to 4", "5/4": "numbered 1 to 4", "a/b": "write I/N", "3": "write I/N",
                        "1/0": "at least 1", "-1/3": "numbered 1 to 3"]
        for (bad, fragment) in expected {
            XCTAssertThrowsError(try Shard(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(bad): \(error)")
            }
        }
    }
}
