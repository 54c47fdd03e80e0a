import ArgumentParser
import GridFiles
import Dispatch
import Foundation
import Analysis
import Planning
import Runner

extension DecayBench {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every cell of a grid file in parallel and write one HDF5 results file.",
            discussion: """
            Runs that finish are saved at once (in OUT.parts/); the results file is assembled at the end. \
            Ctrl-C stops cleanly: finished runs are written and `--resume` continues from there, as it \
            does after a crash or `kill -9`. Exit status: 0 done (diverged runs included), 1 a failure \
            while working, 2 the input is wrong, 3 some runs failed, 130 interrupted.
            """)

        @Argument(help: "The grid file (YAML).")
        var grid: String

        @Option(help: "The results file to write.")
        var out: String

        @Option(help: "Parallel workers (default: the number of cores).")
        var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: ArgumentHelp("Run only share I of N of the grid, for example 2/4.",
                                   discussion: "Shares are balanced by estimated cost and together hold every run once; give each its own --out and join them with `decaybench merge`."))
        var shard: String?

        @Flag(help: "Continue an interrupted grid: keep its finished runs, run the rest.")
        var resume = false

        @Flag(help: "Replace an existing results file and its unfinished runs.")
        var overwrite = false

        @Option(help: ArgumentHelp(
            "Take the finished runs of this results file that the grid also plans, instead of computing them (repeatable).",
            discussion: "A run's key is the hash of its whole configuration, so a grid grown by a learning rate reuses every run it already had. Each run keeps the commit and host that computed it (columns of /runs); `decaybench verify` checks them against this build.",
            valueName: "results.h5"))
        var reuse: [String] = []

        @Flag(help: "Allow a grid of more than \(GridLimits.runs) runs (up to \(GridLimits.forcedRuns)).")
        var force = false

        @Flag(help: "Print nothing but errors and the summary.")
        var quiet = false

        @Option(help: "Progress format: text, or json (one event per line on stderr).")
        var logFormat: LogFormat = .text

        enum LogFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
            guard !(resume && overwrite) else { throw ValidationError("--resume and --overwrite contradict each other; choose one") }
            if let shard {
                do { _ = try Shard(parsing: shard) } catch { throw ValidationError("--shard: \(error)") }
            }
            for path in reuse where !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("--reuse \(path): no such results file")
            }
        }

        func run() throws {
            var plan = try GridLoading.plan(path: grid, allowingLargeGrids: force)
            if let shard { plan = try plan.restricted(to: try Shard(parsing: shard)) }
            let style = ProgressReporter.automaticStyle(quiet: quiet, json: logFormat == .json)
            let progress = ProgressReporter(style: style, total: plan.runs.count)
            if let note = RepeatedRuns(plan).note { progress.note(note) }
            let runner = GridRunner(
                plan: plan,
                options: .init(resultsPath: out, jobs: jobs, resume: resume, overwrite: overwrite,
                               commandLine: CommandLine.arguments.joined(separator: " "), reusePaths: reuse),
                progress: progress)

            // Ctrl-C and SIGTERM ask the workers to stop after their current step.
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    progress.note("stopping: waiting for the runs in progress to reach a step boundary…")
                    runner.requestStop()
                }
                source.resume()
                return source
            }
            defer { sources.forEach { $0.cancel() } }

            let outcome = try runner.run()
            let summary = SummaryTable(records: outcome.records)
            print(summary.text)
            if outcome.interrupted {
                if let kept = outcome.keptExistingFile {
                    print("interrupted: \(kept) (--overwrite starts afresh)")
                } else {
                    print("interrupted: \(out) holds the runs finished so far; continue with --resume")
                }
                throw ExitCode(ExitStatus.interrupted)
            }
            print(outcome.wroteFile ? "wrote \(out)" : "\(out) already holds every run; left unchanged")
            // Not interrupted, yet runs without a result: their saved files went while the grid
            // ran (removed by hand, or by another process). A nightly job must not read that as done.
            let missing = outcome.records.filter { $0.status == .pending }.count
            if missing > 0 {
                print("\(missing) run\(missing == 1 ? " has" : "s have") no result: \(missing == 1 ? "its" : "their") saved "
                      + "file\(missing == 1 ? "" : "s") went missing or could not be read while the grid ran; continue with --resume")
                throw ExitCode(ExitStatus.badOutcome)
            }
            // A nightly sweep must not pass silently with broken runs: failed runs (not
            // diverged ones, which are results) make the exit status 3.
            if summary.failed > 0 { throw ExitCode(ExitStatus.badOutcome) }
        }
    }
}
