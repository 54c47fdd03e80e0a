extension GridPlan {
    /// The plan restricted to the runs of `shard`; axes, name and canonical form stay the grid's.
    /// - Throws: `ShardError` when the grid has fewer runs than shards: some would be empty.
    public func restricted(to shard: Shard) throws -> GridPlan {
        try checkShardCount(shard.count)
        let assignment = Self.shardAssignment(costs: runs.map { RunCost.estimate($0.configuration) }, count: shard.count)
        return restricted(to: shard, assignment: assignment)
    }

    /// Every shard of the plan cut `count` ways, in order: `restricted(to:)` of each, with the
    /// partition computed once (a status of 1,000 shards computed it 1,000 times).
    public func shards(count: Int) throws -> [GridPlan] {
        try checkShardCount(count)
        let assignment = Self.shardAssignment(costs: runs.map { RunCost.estimate($0.configuration) }, count: count)
        return try (1...count).map { restricted(to: try Shard(index: $0, count: count), assignment: assignment) }
    }

    private func checkShardCount(_ count: Int) throws {
        _ = try Shard(index: 1, count: count)  // a count below 1 is refused, in words
        guard count <= runs.count else {
            throw ShardError("the grid has \(runs.count) run\(runs.count == 1 ? "" : "s"), so it is cut into at most \(runs.count) shard\(runs.count == 1 ? "" : "s"), "
                             + "not \(count): some would be empty")
        }
    }

    private func restricted(to shard: Shard, assignment: [Int]) -> GridPlan {
        var plan = self
        plan.runs = zip(runs, assignment).filter { $0.1 == shard.index }.map(\.0)
        plan.shard = shard
        return plan
    }

    /// The shard (1…count) of each run, balanced by cost: runs from the most to the least
    /// costly (grid order on ties) each go to the least loaded shard (the lowest on ties).
    ///
    /// Deterministic, so every shard computes the same partition on its own. Greedy
    /// assignment keeps the heaviest shard within one run's cost of the lightest. The least
    /// loaded shard comes from a heap ordered by (load, shard): the same choice as a scan of
    /// every shard, in log(count) steps instead of count.
    public static func shardAssignment(costs: [Double], count: Int) -> [Int] {
        let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
        var heap = LoadHeap(shards: count)
        var assignment = [Int](repeating: 0, count: costs.count)
        for run in order {
            assignment[run] = heap.addToLightest(costs[run]) + 1
        }
        return assignment
    }
}

/// Shards' loads in a binary min-heap by (load, shard index), the lightest on top.
private struct LoadHeap {
    private var entries: [(load: Double, shard: Int)]

    /// Every shard at load 0: in index order, which is already a heap.
    init(shards: Int) {
        entries = (0..<shards).map { (0, $0) }
    }

    private func lighter(_ a: Int, _ b: Int) -> Bool {
        entries[a].load != entries[b].load ? entries[a].load < entries[b].load : entries[a].shard < entries[b].shard
    }

    /// Adds `cost` to the lightest shard and returns that shard's index (from 0).
    mutating func addToLightest(_ cost: Double) -> Int {
        let shard = entries[0].shard
        entries[0].load += cost
        // The top only grew: sift it down.
        var node = 0
        while true {
            let left = 2 * node + 1, right = left + 1
            var smallest = node
            if left < entries.count && lighter(left, smallest) { smallest = left }
            if right < entries.count && lighter(right, smallest) { smallest = right }
            if smallest == node { return shard }
            entries.swapAt(node, smallest)
            node = smallest
        }
    }
}
