import Datasets
import Dispatch
import Foundation
import Planning
import Results
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
            throw RunnerError("all runs of a grid must use the same training.blas_threads (OpenBLAS's thread count is process-wide); found \(threads.sorted())")
        }
        try checkConfigurations()
        let start = try startingPoint(journal)
        let recorded = Set(start.finished.map(\.run.key))
        let pendingRuns = plan.runs.filter { !recorded.contains($0.key) }
        let datasets = try loadDatasets(for: pendingRuns)

        try begin(journal, from: start)
        BLAS.setThreadCount(blasThreads)
        let reporter = progress ?? ProgressReporter(style: .quiet, total: plan.runs.count)
        reporter.setAlreadyDone(recorded.count)
        if !recorded.isEmpty && !pendingRuns.isEmpty {
            reporter.note("resuming: \(recorded.count) of \(plan.runs.count) runs already finished")
        }
        let provenance = Provenance.current()
        let writer = DispatchQueue(label: "decaybench.results-writer")
        nonisolated(unsafe) var writeTime = Duration.zero  // touched only on `writer`, then after the workers end
        let queue = WorkQueue(pendingRuns)
        let failures = FailureList()
        let jobs = max(1, min(options.jobs, pendingRuns.count))
        if let warning = Self.oversubscriptionWarning(jobs: jobs, blasThreads: blasThreads) { reporter.warn(warning) }
        let ticker = DispatchSource.makeTimerSource(queue: .global())
        ticker.schedule(deadline: .now() + 1, repeating: 1)
        ticker.setEventHandler { reporter.tick() }
        ticker.resume()
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while !stopRequested.isSet, let run = queue.next() {
                reporter.runStarted(run)
                let dataset = datasets[run.configuration.data]!
                let result = Trainer.run(run.configuration, on: dataset, shouldStop: { self.stopRequested.isSet })
                let record = RunRecord(run: run, result: result, keepParameters: plan.storesParameters,
                                       computedBy: RunProvenance(provenance))
                if record.status != .pending {
                    writer.sync {
                        let writeStarted = ContinuousClock.now
                        defer { writeTime += ContinuousClock.now - writeStarted }
                        do {
                            // Not durable: a shard lost to a power cut is only a run to redo on --resume.
                            try ResultsFile.write(records: [record], plan: nil, metadata: .shard(commandLine: options.commandLine, provenance: provenance),
                                                  to: journal.shardPath(forKey: run.key), durable: false)
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

        // Assembling the results file (reading the run files back, writing, removing them) counts as saving.
        let resultsStarted = ContinuousClock.now
        defer { reporter.saved(seconds: (writeTime + (ContinuousClock.now - resultsStarted)) / .seconds(1)) }
        let records = collectRecords(journal, alreadyRead: start.finished)
        let complete = records.allSatisfy { $0.status != .pending }
        let metadata = ResultsFile.Metadata(
            kind: "grid", commandLine: options.commandLine, jobs: options.jobs, blasThreads: blasThreads,
            startedUTC: startedUTC, finishedUTC: Date(), complete: complete, provenance: provenance)
        do {
            try ResultsFile.write(records: records, plan: plan, metadata: metadata, to: path)
        } catch {
            throw RunnerError("cannot write \(path): \(error)\nevery finished run is kept in \(journal.directory); "
                               + "fix the cause (disk space, permissions) and rerun with --resume")
        }
        if complete { try journal.remove() }
        if !failures.messages.isEmpty {
            throw RunnerError("could not save every result:\n" + failures.messages.joined(separator: "\n")
                               + "\nthe runs saved so far are in \(path); fix the cause and rerun with --resume")
        }
        return Outcome(records: records, interrupted: stopRequested.isSet && !complete)
    }

    /// A warning when the workers' BLAS threads outnumber the cores: OpenBLAS's threads spin
    /// while they wait, so oversubscribed cores run slower than one thread per worker would.
    static func oversubscriptionWarning(jobs: Int, blasThreads: Int,
                                        cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> String? {
        guard jobs * blasThreads > cores else { return nil }
        return "\(jobs) jobs × \(blasThreads) BLAS threads = \(jobs * blasThreads) threads on \(cores) cores; "
            + "oversubscribed cores are slower than 1 BLAS thread per job (set training.blas_threads: 1 or fewer --jobs)"
    }

    /// One record per planned run, in grid order: from the journal, or pending. Runs read at
    /// the start (a resume) are not read again.
    private func collectRecords(_ journal: RunJournal, alreadyRead: [RunRecord]) -> [RunRecord] {
        let recorded = journal.recordedKeys()
        let known = Dictionary(alreadyRead.map { ($0.run.key, $0) }, uniquingKeysWith: { first, _ in first })
        return plan.runs.map { run in
            if var record = known[run.key] {
                record.run = run
                return record
            }
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
                throw RunnerError("cannot load the data set of run \(run.index): \(error)")
            }
        }
        return datasets
    }
}
