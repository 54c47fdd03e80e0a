import ArgumentParser
import Foundation
import Planning
import Results
import Runner

extension DecayBench {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join the shard files of one grid into one results file.",
            discussion: """
            The result is identical, number for number, to a single-machine `decaybench run` of the \
            grid; only the timing attributes (started_utc, finished_utc), command_line and jobs differ, \
            and the root provenance attributes describe the machine that merged. Each run's host, BLAS \
            core, CPU and commit are columns of /runs. Runs no shard finished are written pending and \
            listed; exit status 3 then, 0 when every run is there.
            """)

        @Argument(help: "The shard files (from `decaybench run --shard I/N`).")
        var shards: [String]

        @Option(help: "The results file to write.")
        var out: String

        @Flag(help: "Replace --out if it exists.")
        var overwrite = false

        @Option(help: ArgumentHelp(
            "Describe the merged file with this grid file as it is now (its text, description and claims).",
            discussion: "Its runs must be the shards' grid. Default: the grid stored in the first shard.",
            valueName: "grid.yaml"))
        var grid: String?

        func validate() throws {
            guard !shards.isEmpty else { throw ValidationError("give at least one shard file") }
            if let repeated = Dictionary(grouping: shards, by: { URL(fileURLWithPath: $0).standardizedFileURL.path }).first(where: { $0.value.count > 1 }) {
                throw ValidationError("\(repeated.value[0]) is given \(repeated.value.count) times; give each shard once")
            }
            do { try OutputPath.check(out, allowingExisting: overwrite) } catch { throw ValidationError("--out: \(error)") }
            for input in shards + [grid].compactMap({ $0 }) where OutputPath.nameSameFile(out, input) {
                throw ValidationError("--out: \(out) is the input \(input); write the merged file elsewhere")
            }
        }

        func run() throws {
            // A `run` writing this path holds its lock and would replace the merged file when it ends.
            let lock = try OutputLock(resultsPath: out)
            defer { lock.release() }
            let token = Interruption.onInterrupt(release: lock)
            defer { Interruption.remove(token) }
            // A merge killed while writing leaves "OUT.tmp-PID"; holding the lock, this one can remove it.
            StaleTemporaries.remove(besides: out)
            for path in shards where !FileManager.default.fileExists(atPath: path) {
                throw CommandFailure.input("\(path): no such shard file")
            }
            let plan: GridPlan
            if let grid {
                plan = try GridLoading.plan(path: grid, allowingLargeGrids: true)
            } else {
                do {
                    plan = try GridLoading.plan(text: try ResultsFile.gridText(at: shards[0]), source: shards[0])
                } catch {
                    throw CommandFailure.input("\(shards[0]) is not a readable results file: \(error)")
                }
            }
            let merge = try CommandFailure.readingInput { try ShardMerge(plan: plan, paths: shards, planSource: grid ?? shards[0]) }
            var metadata = ResultsFile.Metadata(
                kind: "grid", commandLine: CommandLine.arguments.joined(separator: " "), jobs: 1,
                blasThreads: plan.runs.first?.configuration.training.blasThreads ?? 1,
                startedUTC: merge.startedUTC, finishedUTC: merge.finishedUTC, complete: merge.missing.isEmpty,
                provenance: .current())
            metadata.dataFiles = merge.dataFiles
            try ResultsFile.write(records: merge.records, plan: plan, metadata: metadata, to: out)
            let hosts = Set(merge.records.map(\.computedBy.host).filter { !$0.isEmpty }).sorted()
            print("wrote \(out): \(plan.runs.count - merge.missing.count) of \(plan.runs.count) runs from \(shards.count) shard file\(shards.count == 1 ? "" : "s")"
                  + (hosts.isEmpty ? "" : ", computed on \(hosts.joined(separator: ", "))"))
            if !merge.missing.isEmpty {
                print("\(merge.missing.count) run\(merge.missing.count == 1 ? " is" : "s are") missing and written as pending:")
                Self.printListing(merge.missing.prefix(20).map { "\($0.index)  \($0.key)  " + RunLabels.text($0) }, of: merge.missing.count)
                throw ExitCode(ExitStatus.badOutcome)
            }
            // As `run` does: a failed run (not a diverged one, which is a result) must not let
            // the job that merges a sweep end as if all went well.
            let failed = merge.records.filter { $0.status == .failed }
            if !failed.isEmpty {
                print("\(failed.count) run\(failed.count == 1 ? "" : "s") failed:")
                Self.printListing(failed.prefix(20).map { "\($0.run.index)  \($0.run.key)  \($0.message)" }, of: failed.count)
                throw ExitCode(ExitStatus.badOutcome)
            }
        }

        /// The first lines of a listing of `total`, indented, then how many more there are.
        private static func printListing(_ lines: [String], of total: Int) {
            for line in lines { print("  " + line) }
            if total > lines.count { print("  … and \(total - lines.count) more") }
        }
    }
}
