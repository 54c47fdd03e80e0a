extension GridPlan {
    /// The plan restricted to the runs of `shard`; axes, name and canonical form stay the grid's.
    /// - Throws: `ShardError` when the grid has fewer runs than shards: some would be empty.
    public func restricted(to shard: Shard) throws -> GridPlan {
        guard shard.count <= runs.count else {
            throw ShardError("the grid has \(runs.count) run\(runs.count == 1 ? "" : "s"), so it is cut into at most \(runs.count) shard\(runs.count == 1 ? "" : "s"), "
                             + "not \(shard.count): some would be empty")
        }
        var plan = self
        let chosen = Set(Self.shardAssignment(costs: runs.map { RunCost.estimate($0.configuration) }, count: shard.count)
            .enumerated().filter { $0.element == shard.index }.map(\.offset))
        plan.runs = runs.enumerated().filter { chosen.contains($0.offset) }.map(\.element)
        plan.shard = shard
        return plan
    }

    /// The shard (1…count) of each run, balanced by cost: runs from the most to the least
    /// costly (grid order on ties) each go to the least loaded shard (the lowest on ties).
    ///
    /// Deterministic, so every shard computes the same partition on its own. Greedy
    /// assignment keeps the heaviest shard within one run's cost of the lightest.
    public static func shardAssignment(costs: [Double], count: Int) -> [Int] {
        let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
        var loads = [Double](repeating: 0, count: count)
        var assignment = [Int](repeating: 0, count: costs.count)
        for run in order {
            let lightest = loads.indices.min { loads[$0] != loads[$1] ? loads[$0] < loads[$1] : $0 < $1 }!
            loads[lightest] += costs[run]
            assignment[run] = lightest + 1
        }
        return assignment
    }
}
