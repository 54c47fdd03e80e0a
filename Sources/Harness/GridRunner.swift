import Datasets
import Dispatch
import Foundation
import TensorMath
import Training

/// Runs every cell of a grid on all cores and writes one results file.
///
/// Workers (one BLAS thread each) take runs in grid order; each finished run goes to the
/// journal through a single writer; the results file is assembled from the journal at the
/// end, or on Ctrl-C from what has finished. The numbers do not depend on the number of
/// workers or on the order in which runs finish: every run is a pure function of its
/// configuration.
public final class GridRunner: @unchecked Sendable {
    // @unchecked: mutable state is confined to `stateLock` or to the serial writer queue.

    public struct Options: Sendable {
        public var resultsPath: String
        public var jobs: Int
        public var resume: Bool
        public var overwrite: Bool
        public var commandLine: String

        public init(resultsPath: String, jobs: Int, resume: Bool, overwrite: Bool, commandLine: String) {
            self.resultsPath = resultsPath
            self.jobs = jobs
            self.resume = resume
            self.overwrite = overwrite
            self.commandLine = commandLine
        }
    }

    /// How a call to `run` ended.
    public struct Outcome: Sendable {
        public var records: [RunRecord]
        public var interrupted: Bool
        public var ranNow: Int
        public var summary: SummaryTable { SummaryTable(records: records) }
    }

    public let plan: GridPlan
    public let options: Options
    public let progress: ProgressReporter?
    private let stopRequested = StopFlag()

    public init(plan: GridPlan, options: Options, progress: ProgressReporter? = nil) {
        self.plan = plan
        self.options = options
        self.progress = progress
    }

    /// Asks running workers to stop after their current step; finished runs are kept.
    public func requestStop() { stopRequested.set() }

    public func run() throws -> Outcome {
        let path = options.resultsPath
        let lock = try OutputLock(resultsPath: path)
        defer { lock.release() }
        let journal = RunJournal(resultsPath: path)
        let startedUTC = Date()

        // Everything that can refuse the run is checked before any file is touched: a
        // refused run leaves the output, its journal and any earlier results as they were.
        try OutputPath.check(path, allowingExisting: true)
        let threads = Set(plan.runs.map(\.configuration.training.blasThreads))
        guard threads.count == 1, let blasThreads = threads.first else {
            throw HarnessError("all runs of a grid must use the same training.blas_threads (OpenBLAS's thread count is process-wide); found \(threads.sorted())")
        }
        try checkConfigurations()
        let start = try startingPoint(journal)
        let recorded = Set(start.finished.map(\.run.key))
        let pendingRuns = plan.runs.filter { !recorded.contains($0.key) }
        let datasets = try loadDatasets(for: pendingRuns)

        try begin(journal, from: start)
        BLAS.setThreadCount(blasThreads)
        let reporter = progress ?? ProgressReporter(style: .quiet, total: plan.runs.count, alreadyDone: 0)
        reporter.setAlreadyDone(recorded.count)
        if !recorded.isEmpty && !pendingRuns.isEmpty {
            reporter.note("resuming: \(recorded.count) of \(plan.runs.count) runs already finished")
        }
        let writer = DispatchQueue(label: "decaybench.results-writer")
        let queue = WorkQueue(pendingRuns)
        let failures = FailureList()
        let jobs = max(1, min(options.jobs, pendingRuns.count))
        let ticker = DispatchSource.makeTimerSource(queue: .global())
        ticker.schedule(deadline: .now() + 1, repeating: 1)
        ticker.setEventHandler { reporter.tick() }
        ticker.resume()
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while !stopRequested.isSet, let run = queue.next() {
                reporter.runStarted(run)
                let dataset = datasets[run.configuration.data]!
                let result = Trainer.run(run.configuration, on: dataset, shouldStop: { self.stopRequested.isSet })
                let record = RunRecord(run: run, result: result, keepParameters: plan.storesParameters)
                if record.status != .pending {
                    writer.sync {
                        do {
                            try ResultsFile.write(records: [record], plan: nil, metadata: .shard(commandLine: options.commandLine),
                                                  to: journal.shardPath(forKey: run.key))
                        } catch {
                            // A result that cannot be saved stops the grid: carrying on would compute
                            // more results that may not be saved either.
                            failures.append("run \(run.index) (\(run.key)): \(error)")
                            stopRequested.set()
                        }
                    }
                }
                reporter.runEnded(record)
            }
        }
        ticker.cancel()
        reporter.finish()

        let records = collectRecords(journal)
        let complete = records.allSatisfy { $0.status != .pending }
        let metadata = ResultsFile.Metadata(
            kind: "grid", commandLine: options.commandLine, jobs: options.jobs, blasThreads: blasThreads,
            startedUTC: startedUTC, finishedUTC: Date(), complete: complete)
        do {
            try ResultsFile.write(records: records, plan: plan, metadata: metadata, to: path)
        } catch {
            throw HarnessError("cannot write \(path): \(error)\nevery finished run is kept in \(journal.directory); "
                               + "fix the cause (disk space, permissions) and rerun with --resume")
        }
        if complete { try journal.remove() }
        if !failures.messages.isEmpty {
            throw HarnessError("could not save every result:\n" + failures.messages.joined(separator: "\n")
                               + "\nthe runs saved so far are in \(path); fix the cause and rerun with --resume")
        }
        let ranNow = records.filter { $0.status != .pending }.count - recorded.count
        return Outcome(records: records, interrupted: stopRequested.isSet && !complete, ranNow: ranNow)
    }

    /// Where a run starts from: nothing, a journal of an interrupted run, or a finished file.
    private enum StartingPoint {
        case fresh
        case journal
        case resultsFile([RunRecord])

        var finished: [RunRecord] {
            if case .resultsFile(let records) = self { return records.filter { $0.status != .pending } }
            return []
        }
    }

    private struct Start {
        var point: StartingPoint
        /// Runs already finished, validated (unreadable shards are not among them).
        var finished: [RunRecord]
    }

    /// Decides, without changing anything, where this run starts from.
    private func startingPoint(_ journal: RunJournal) throws -> Start {
        let path = options.resultsPath
        let fileExists = FileManager.default.fileExists(atPath: path)
        if options.overwrite {
            return Start(point: .fresh, finished: [])
        }
        if options.resume {
            if journal.exists {
                let stored: String
                do {
                    stored = try journal.canonicalText()
                } catch {
                    throw HarnessError("cannot resume \(path): \(journal.directory) lacks its grid description; "
                                       + "remove that directory to start afresh, or use --overwrite")
                }
                let differences = GridDifference.between(stored: stored, current: plan.canonicalText)
                guard differences.isEmpty else {
                    throw HarnessError("cannot resume \(path): the grid file has changed since the run started:\n"
                                       + differences.map { "  " + $0 }.joined(separator: "\n")
                                       + "\nrestore the original grid, or start afresh with --overwrite")
                }
                return Start(point: .journal, finished: readableShards(journal))
            }
            if fileExists {
                let stored = try ResultsFile.canonicalGridText(at: path)
                let differences = GridDifference.between(stored: stored, current: plan.canonicalText)
                guard differences.isEmpty else {
                    throw HarnessError("cannot resume \(path): it holds a different grid:\n"
                                       + differences.map { "  " + $0 }.joined(separator: "\n")
                                       + "\nuse another --out, or replace it with --overwrite")
                }
                let records = try ResultsFile.readRecords(at: path, plan: plan)
                return Start(point: .resultsFile(records), finished: records.filter { $0.status != .pending })
            }
            return Start(point: .fresh, finished: [])
        }
        if fileExists || journal.exists {
            throw HarnessError("\(path) already exists\(journal.exists ? " (with unfinished runs in \(journal.directory))" : ""); "
                               + "add --resume to finish it, --overwrite to replace it, or choose another --out")
        }
        return Start(point: .fresh, finished: [])
    }

    /// Readies the journal for `start`: the only step that changes files before training.
    private func begin(_ journal: RunJournal, from start: Start) throws {
        switch start.point {
        case .journal:
            return
        case .fresh:
            // With --overwrite an old journal goes; an old results file stays until the new
            // one replaces it, so a refused or crashed overwrite loses nothing.
            if journal.exists { try journal.remove() }
            try journal.create(canonicalText: plan.canonicalText)
        case .resultsFile(let records):
            // A results file without a journal: rebuild the journal from it so that the runs
            // it holds are kept.
            try journal.create(canonicalText: plan.canonicalText)
            for record in records where record.status != .pending {
                try ResultsFile.write(records: [record], plan: nil, metadata: .shard(commandLine: options.commandLine),
                                      to: journal.shardPath(forKey: record.run.key))
            }
        }
    }

    /// The journal's finished runs that can be read back; unreadable shards are removed so
    /// that their runs are computed again now, not discovered missing at the end.
    private func readableShards(_ journal: RunJournal) -> [RunRecord] {
        let planned = Set(plan.runs.map(\.key))
        var records: [RunRecord] = []
        for key in journal.recordedKeys() where planned.contains(key) {
            do {
                records.append(try ResultsFile.readShard(at: journal.shardPath(forKey: key)))
            } catch {
                progress?.note("discarding an unreadable saved run \(key); it will run again: \(error)")
                try? FileManager.default.removeItem(atPath: journal.shardPath(forKey: key))
            }
        }
        return records
    }

    /// Every run's configuration values, checked before anything starts.
    private func checkConfigurations() throws {
        var problems: [String] = []
        for run in plan.runs {
            for problem in run.configuration.problems() {
                problems.append("run \(run.index) (\(run.coordinates.map { "\($0.axis)=\($0.label)" }.joined(separator: " "))): \(problem)")
            }
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(20).joined(separator: "\n")
            throw HarnessError("the grid has invalid settings:\n\(shown)" + (problems.count > 20 ? "\n… and \(problems.count - 20) more" : ""))
        }
    }

    /// One record per planned run, in grid order: from the journal, or pending.
    private func collectRecords(_ journal: RunJournal) -> [RunRecord] {
        let recorded = journal.recordedKeys()
        return plan.runs.map { run in
            guard recorded.contains(run.key) else { return RunRecord.pending(run) }
            do {
                var record = try ResultsFile.readShard(at: journal.shardPath(forKey: run.key))
                record.run = run
                return record
            } catch {
                progress?.note("discarding an unreadable shard for run \(run.index) (\(run.key)); it will run again on --resume: \(error)")
                try? FileManager.default.removeItem(atPath: journal.shardPath(forKey: run.key))
                return RunRecord.pending(run)
            }
        }
    }

    /// Loads every distinct data set once, before any worker starts.
    private func loadDatasets(for runs: [PlannedRun]) throws -> [DataSpec: Dataset] {
        var datasets: [DataSpec: Dataset] = [:]
        for run in runs where datasets[run.configuration.data] == nil {
            do {
                datasets[run.configuration.data] = try DatasetLoader.load(run.configuration.data)
            } catch {
                throw HarnessError("cannot load the data set of run \(run.index): \(error)")
            }
        }
        return datasets
    }
}

/// A flag set once from any thread (Ctrl-C, a write failure) and read by every worker.
final class StopFlag: @unchecked Sendable {
    // @unchecked: the value is guarded by the lock.
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Hands out runs to workers in grid order.
final class WorkQueue: @unchecked Sendable {
    // @unchecked: the position is guarded by the lock.
    private let lock = NSLock()
    private let runs: [PlannedRun]
    private var position = 0
    init(_ runs: [PlannedRun]) { self.runs = runs }
    func next() -> PlannedRun? {
        lock.withLock {
            guard position < runs.count else { return nil }
            defer { position += 1 }
            return runs[position]
        }
    }
}

final class FailureList: @unchecked Sendable {
    // @unchecked: guarded by the lock.
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ message: String) { lock.withLock { list.append(message) } }
    var messages: [String] { lock.withLock { list } }
}
