/// Where a sharded sweep keeps its files, so that `slurm`, `status` and `merge` agree:
/// DIR/grid.yaml (the grid, copied so later edits cannot change a sweep in progress),
/// DIR/shard-I.h5 with its DIR/shard-I.h5.parts/, DIR/merged.h5, DIR/logs/.
public struct SweepLayout: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
    }

    public var gridPath: String { directory + "/grid.yaml" }
    public var mergedPath: String { directory + "/merged.h5" }
    public var logsDirectory: String { directory + "/logs" }
    /// The job array `slurm` writes: one task per shard.
    public var arrayScriptPath: String { directory + "/shards.sbatch" }
    public var mergeScriptPath: String { directory + "/merge.sbatch" }

    /// The output of shard `index` (from 1).
    public func shardPath(_ index: Int) -> String { directory + "/shard-\(index).h5" }
}
