import ArgumentParser
import Foundation
import GridFiles
import Planning
import Results
import Runner

extension DecayBench {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a sharded sweep's progress: finished and pending runs per shard.",
            discussion: "Reads DIR/shard-I.h5 and the part files of shards in progress (DIR/shard-I.h5.parts/), as `decaybench slurm` lays them out.")

        @Argument(help: "The sweep directory (the --out of `decaybench slurm`).")
        var directory: String

        @Option(help: "The grid file (default: DIR/grid.yaml, else the grid stored in a shard file).")
        var grid: String?

        @Option(help: "How many shards the sweep has (default: as its files say).")
        var shards: Int?

        func run() throws {
            let layout = SweepLayout(directory: directory)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure.input("\(directory) is not a directory; give the --out directory of `decaybench slurm`")
            }
            guard let count = shards ?? SweepStatus.shardCount(in: layout, orArrayScript: true) else {
                throw CommandFailure.input("no shard has started in \(directory) yet; say how many there are with --shards N")
            }
            // Checked before shard files are looked for: a grid has at most this many runs, so
            // at most this many shards, and 10^12 file look-ups would never end.
            guard (1...GridLimits.forcedRuns).contains(count) else {
                throw CommandFailure.input(shards == nil
                    ? "the shard files in \(directory) say the sweep has \(count) shards, more than the \(GridLimits.forcedRuns) runs a grid "
                        + "can have: a shard file or journal is damaged; give the sweep's shard count with --shards"
                    : "--shards must be between 1 and \(GridLimits.forcedRuns) (the most runs a grid has), got \(count)")
            }
            let plan: GridPlan
            if let grid {
                plan = try GridLoading.plan(path: grid, allowingLargeGrids: true)
            } else if FileManager.default.fileExists(atPath: layout.gridPath) {
                plan = try GridLoading.plan(path: layout.gridPath, allowingLargeGrids: true)
            } else if let first = (1...count).lazy.map(layout.shardPath).first(where: { FileManager.default.fileExists(atPath: $0) }) {
                // The grid stored in a shard file is part of that file: unreadable, the file is damaged.
                plan = try CommandFailure.readingInput { try GridLoading.plan(text: try ResultsFile.gridText(at: first), source: first) }
            } else {
                throw CommandFailure.input("\(directory) has neither grid.yaml nor a shard file; give the grid with --grid")
            }
            let status = try CommandFailure.readingInput { try SweepStatus(plan: plan, count: count, layout: layout) }
            print("grid \(plan.name) in \(directory), \(count) shard\(count == 1 ? "" : "s"):")
            print(status.text)
            let stopped = status.shards.filter { $0.state == "stopped" }.map(\.shard.index)
            if !stopped.isEmpty {
                print("stopped shards (killed, preempted or interrupted) keep their finished runs; resubmitting resumes them: "
                      + "sbatch --array=\(stopped.map(String.init).joined(separator: ",")) \(SlurmScripts.quote(layout.arrayScriptPath))")
            }
            if FileManager.default.fileExists(atPath: layout.mergedPath) {
                // A merge of some shards, or one made before the last shards finished, holds
                // fewer runs than the shards do: "merged" alone read as done.
                let withResult = status.shards.map { $0.planned - $0.pending }.reduce(0, +)
                switch Result(catching: { try ResultsFile.resultCount(at: layout.mergedPath) }) {
                case .success(let merged) where merged < withResult:
                    print("merged: \(layout.mergedPath), partial: \(merged) of the \(withResult) runs the shards hold; merge again")
                case .success(let merged):
                    print("merged: \(layout.mergedPath), \(merged) of \(plan.runs.count) runs")
                case .failure(let error):
                    print("merged: \(layout.mergedPath) cannot be read: \(error)")
                }
            }
        }
    }
}
