import Datasets
import Dispatch
import Foundation
import HDF5Store
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
        /// Results files whose finished runs this grid also plans are taken, not computed again.
        public var reusePaths: [String]

        public init(resultsPath: String, jobs: Int, resume: Bool, overwrite: Bool, commandLine: String,
                    reusePaths: [String] = []) {
            self.resultsPath = resultsPath
            self.jobs = jobs
            self.resume = resume
            self.overwrite = overwrite
            self.reusePaths = reusePaths
            self.commandLine = commandLine
        }
    }

    /// How a call to `run` ended.
    public struct Outcome: Sendable {
        public var records: [RunRecord]
        public var interrupted: Bool
        /// False when the results file was already complete and was left untouched.
        public var wroteFile = true
        /// Why an existing results file was left as it was instead of being replaced by these
        /// incomplete results, and where they are kept instead; nil when it was not.
        public var keptExistingFile: String? = nil
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
        // Before the lock, which is made beside the path: "./.lock" would be made beside ".",
        // and a missing directory is the path's fault, not a failure to lock.
        try OutputPath.check(path, allowingExisting: true)
        let lock = try OutputLock(resultsPath: path)
        defer { lock.release() }
        let journal = RunJournal(resultsPath: path)
        let existedAtStart = FileManager.default.fileExists(atPath: path)
        // The lock file may have been deleted while another process runs this grid: its
        // journal stays locked, and this run must not go on beside it.
        var journalLock = journal.state == .journal || journal.state == .remnant ? try journal.lock() : nil
        defer { journalLock?.release() }
        let startedUTC = Date()

        // Everything that can refuse the run is checked before any file is touched: a
        // refused run leaves the output, its journal and any earlier results as they were.
        try OutputPath.check(path, allowingExisting: true)
        let threads = Set(plan.runs.map(\.configuration.training.blasThreads))
        guard threads.count == 1, let blasThreads = threads.first else {
            throw RunnerError.input("all runs of a grid must use the same training.blas_threads (OpenBLAS's thread count is process-wide); found \(threads.sorted())")
        }
        // OpenBLAS keeps a buffer for each of its threads and each job calling it at once;
        // concurrentPerform runs at most one job per core at a time.
        let concurrentJobs = max(1, min(options.jobs, plan.runs.count, ProcessInfo.processInfo.activeProcessorCount))
        if let problem = BLAS.addressSpaceProblem(threads: blasThreads, callers: concurrentJobs,
                                                  limit: ProcessMemory.addressSpaceLimit, inUse: ProcessMemory.addressSpaceInUse) {
            throw RunnerError.input("training.blas_threads and --jobs: \(problem)")
        }
        try checkConfigurations()
        for data in Set(plan.runs.map(\.configuration.data)) { try OutputPath.checkIsNotData(path, of: data) }
        let start = try startingPoint(journal)
        // A process killed while writing the results file leaves "OUT.tmp-PID"; holding the
        // lock, this process is the only writer, and a dead writer's temporary is garbage.
        StaleTemporaries.remove(besides: path)
        if start.point == .finishedFile {
            // Nothing to compute: the file stays as it is, byte for byte, and still
            // describes the session that computed its runs. A journal left by a process
            // killed while removing it goes now (only shards whose runs the file holds).
            journal.remove(includedKeys: Set(start.finished.map(\.run.key)))
            return Outcome(records: start.finished, interrupted: false, wroteFile: false)
        }
        let recorded = Set(start.finished.map(\.run.key))
        let pendingRuns = plan.runs.filter { !recorded.contains($0.key) }
        let datasets = try loadDatasets(for: pendingRuns)
        // The largest pending run, as many times as runs train at once, beside the data just loaded.
        let memory = pendingRuns.map { run in
            (run, TrainingMemory.bytes(of: run.configuration, on: DataShape(datasets[run.configuration.data]!)))
        }
        // Each data set's pixel bytes once, however many runs share it.
        let shared = Set(pendingRuns.map(\.configuration.data)).reduce(0.0) {
            $0 + TrainingMemory.sharedBytes(on: DataShape(datasets[$1]!))
        }
        if let (largest, bytes) = memory.max(by: { $0.1 < $1.1 }),
           let problem = TrainingMemory.addressSpaceProblem(
               bytesPerRun: bytes, runsAtOnce: min(concurrentJobs, pendingRuns.count), sharedBytes: shared, blasThreads: blasThreads,
               who: "the model of run \(largest.index)", limit: ProcessMemory.addressSpaceLimit, inUse: ProcessMemory.addressSpaceInUse) {
            throw RunnerError.input(problem)
        }
        let dataFiles = try fingerprintDataFiles()
        // Loading takes a while, and the lock file may have been deleted meanwhile: a second
        // run on this path would then have taken it, and the two would clear each other's journal.
        PausePoint.reach("loaded")
        try lock.reclaim()

        try checkDataUnchanged(since: start, journal: journal, now: dataFiles)
        try checkReusedData(start, now: dataFiles)
        try begin(journal, from: start, dataFiles: dataFiles)
        if start.point == .fresh || journalLock == nil {
            // A fresh start may have replaced the directory that was locked: lock the new one.
            journalLock?.release()
            journalLock = try journal.lock()
        }
        BLAS.setThreadCount(blasThreads)
        let reporter = progress ?? ProgressReporter(style: .quiet, total: plan.runs.count)
        reporter.setAlreadyDone(recorded.count)
        for (source, count) in start.reusedCounts {
            reporter.note("reusing \(count) finished run\(count == 1 ? "" : "s") of \(source)")
        }
        // A --reuse file that gave nothing is said too: its grid or data may not be what was meant.
        for source in options.reusePaths where !start.reusedCounts.contains(where: { $0.source == source }) {
            reporter.note("reusing no run of \(source): none of its finished runs is a run of this grid still to compute")
        }
        let ownFinished = recorded.count - start.reused.count
        if ownFinished > 0 && !pendingRuns.isEmpty {
            reporter.note("resuming: \(ownFinished) of \(plan.runs.count) runs already finished")
        }
        let provenance = Provenance.current()
        let shardMetadata = {
            var metadata = ResultsFile.Metadata.shard(commandLine: options.commandLine, provenance: provenance)
            metadata.dataFiles = dataFiles
            return metadata
        }()
        let writer = DispatchQueue(label: "decaybench.results-writer")
        nonisolated(unsafe) var writeTime = Duration.zero  // touched only on `writer`, then after the workers end
        nonisolated(unsafe) var savedKeys: [String] = []    // the same: the runs this session saved in the journal
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
                var record = RunRecord(run: run, result: result, keepParameters: plan.storesParameters,
                                       computedBy: RunProvenance(provenance))
                if record.status != .pending {
                    writer.sync {
                        let writeStarted = ContinuousClock.now
                        defer { writeTime += ContinuousClock.now - writeStarted }
                        do {
                            // Not durable: a shard lost to a power cut is only a run to redo on --resume.
                            try ResultsFile.write(records: [record], plan: nil, metadata: shardMetadata,
                                                  to: journal.shardPath(forKey: run.key), durable: false, for: .journal)
                            savedKeys.append(run.key)
                        } catch {
                            // A result that cannot be saved stops the grid: carrying on would compute
                            // more results that may not be saved either. The run is reported as
                            // what it is: computed, not kept.
                            failures.append("run \(run.index) (\(run.key)): \(error)")
                            stopRequested.set()
                            record.status = .failed
                            record.message = "computed but not saved: \(error)"
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
        PausePoint.reach("collect")
        var records = collectRecords(journal, alreadyRead: start.finished)
        if !options.overwrite && !start.replacesFile {
            records = keepingResultsAlreadyAt(path, records)
        }
        let complete = records.allSatisfy { $0.status != .pending }
        var metadata = ResultsFile.Metadata(
            kind: "grid", commandLine: options.commandLine, jobs: options.jobs, blasThreads: blasThreads,
            startedUTC: startedUTC, finishedUTC: Date(), complete: complete, provenance: provenance)
        metadata.dataFiles = dataFiles
        let notSaved = failures.messages.isEmpty ? "" : "\nthese runs were computed but could not be saved:\n"
            + failures.messages.map { "  " + $0 }.joined(separator: "\n")
        // Incomplete results never replace a file that knows more (an --overwrite interrupted
        // part-way): the file stays, the new runs stay in the journal.
        let keptExistingFile = complete ? nil : reasonToKeepResults(at: path, insteadOf: records).map {
            "\(path) is unchanged: \($0), and --overwrite replaces it only with a complete grid; "
                + "the runs finished so far are kept in \(journal.directory), and --resume goes on with the replacement"
        }
        if let appeared = fileAppeared(at: path, existedAtStart: existedAtStart) {
            let kept = journal.recordedKeys().count
            throw RunnerError("\(appeared); it is left as it is, and the \(kept) run\(kept == 1 ? "" : "s") saved so far "
                              + "\(kept == 1 ? "is" : "are") kept in \(journal.directory): move it away and run with --resume")
        }
        if keptExistingFile == nil {
            try writeResultsFile(ResultsFile.image(records: records, plan: plan, metadata: metadata, name: path),
                                 to: path, journal: journal, notSaved: notSaved)
        }
        if complete {
            let finishedKeys = Set(records.filter { $0.status != .pending }.map(\.run.key))
            let left = journal.remove(includedKeys: finishedKeys)
            if !left.isEmpty {
                reporter.note("kept \(journal.directory): it holds files this run did not put in \(path): \(left.joined(separator: ", "))")
            }
        }
        if !failures.messages.isEmpty {
            throw RunnerError("could not save every result" + notSaved
                               + (keptExistingFile.map { "\n\($0); fix the cause and run with --resume" }
                                  ?? "\n" + Self.whatWasKept(records, savedThisSession: savedKeys, in: path, journal: journal.directory)
                                     + "; fix the cause and rerun with --resume"))
        }
        return Outcome(records: records, interrupted: stopRequested.isSet && !complete,
                       wroteFile: keptExistingFile == nil, keptExistingFile: keptExistingFile)
    }

    /// What the results file at `path` holds after a failed save, and how many of the runs this
    /// session saved in the journal are not among them: their files went while the grid ran (the
    /// journal was removed, which is also what makes saving fail).
    static func whatWasKept(_ records: [RunRecord], savedThisSession: [String], in path: String, journal: String) -> String {
        let finished = Set(records.filter { $0.status != .pending }.map(\.run.key))
        let gone = Set(savedThisSession).subtracting(finished).count
        let held = "\(path) holds the \(finished.count) finished run\(finished.count == 1 ? "" : "s")"
        guard gone > 0 else { return held }
        return held + "; \(gone) run\(gone == 1 ? "" : "s") this session saved in \(journal) "
            + "\(gone == 1 ? "is" : "are") gone from it (removed while the grid ran) and will run again"
    }

    /// Writes the results file; when that fails, says where the runs saved so far are kept.
    private func writeResultsFile(_ image: Data, to path: String, journal: RunJournal, notSaved: String) throws {
        do {
            try AtomicFile.write(image, to: path, beforeRename: { PausePoint.reach("final-write") })
        } catch {
            let kept = journal.recordedKeys().count
            if kept == 0 {
                // Nothing was saved: leave no empty journal behind.
                journal.remove(includedKeys: [])
                throw RunnerError("could not save the results: \(error)" + notSaved
                                   + "\nno run was saved; fix the cause (disk space, permissions) and run again")
            }
            throw RunnerError("could not save the results: \(error)" + notSaved
                               + "\nthe \(kept) run\(kept == 1 ? "" : "s") saved so far \(kept == 1 ? "is" : "are") kept in \(journal.directory); "
                               + "fix the cause (disk space, permissions) and rerun with --resume")
        }
    }

    /// What appeared at `path` while the grid ran that the results must not replace: anything
    /// but a results file, or, where there was nothing at the start, a file of another grid or
    /// none at all (a results file of this grid is merged with, as `keepingResultsAlreadyAt` does).
    private func fileAppeared(at path: String, existedAtStart: Bool) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard OutputPath.isHDF5OrEmpty(path) else { return "\(path) is not a results file now (something else was written there while the grid ran)" }
        guard !existedAtStart else { return nil }
        guard let stored = try? ResultsFile.canonicalGridText(at: path) else {
            return "\(path) appeared while the grid ran and is not a results file this run can read"
        }
        return plan.differences(fromStored: stored).isEmpty ? nil : "a results file of another grid appeared at \(path) while the grid ran"
    }

    /// Why the results file at `path` must not be replaced by `records` (incomplete): it holds
    /// finished runs of another grid, or more finished runs of this one. Nil when it may be:
    /// no file, an unreadable one, or one that knows no more. Reads /runs only: this runs on
    /// every interrupt, and the file's curves and tensors may be large.
    private func reasonToKeepResults(at path: String, insteadOf records: [RunRecord]) -> String? {
        guard FileManager.default.fileExists(atPath: path), let stored = try? ResultsFile.canonicalGridText(at: path),
              let theirs = try? ResultsFile.resultCount(at: path) else { return nil }
        let ours = records.filter { $0.status != .pending }.count
        guard theirs > 0 else { return nil }
        if !plan.differences(fromStored: stored).isEmpty {
            return "it holds \(theirs) finished run\(theirs == 1 ? "" : "s") of another grid"
        }
        return theirs > ours ? "it holds \(theirs) finished runs of this grid, this run \(ours)" : nil
    }

    /// A warning when the workers' BLAS threads outnumber the cores: OpenBLAS's threads spin
    /// while they wait, so oversubscribed cores run slower than one thread per worker would.
    static func oversubscriptionWarning(jobs: Int, blasThreads: Int,
                                        cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> String? {
        guard jobs * blasThreads > cores else { return nil }
        return "\(jobs) jobs × \(blasThreads) BLAS threads = \(jobs * blasThreads) threads on \(cores) cores; "
            + "oversubscribed cores are slower than 1 BLAS thread per job (set training.blas_threads: 1 or fewer --jobs)"
    }

    /// `records`, with any run still pending here taken from the results file already at
    /// `path` when that file holds it (same grid): a results file is never replaced by one
    /// that knows less, even if another process wrote it meanwhile.
    private func keepingResultsAlreadyAt(_ path: String, _ records: [RunRecord]) -> [RunRecord] {
        guard records.contains(where: { $0.status == .pending }), FileManager.default.fileExists(atPath: path),
              let stored = try? ResultsFile.canonicalGridText(at: path), plan.differences(fromStored: stored).isEmpty,
              let existing = try? ResultsFile.readRecords(at: path, plan: plan) else { return records }
        return zip(records, existing).map { ours, theirs in
            ours.status == .pending && theirs.status != .pending ? theirs : ours
        }
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

    /// The files every distinct data set of the plan reads, with their checksums.
    private func fingerprintDataFiles() throws -> [DataSpec: [DataFileFingerprint]] {
        var files: [DataSpec: [DataFileFingerprint]] = [:]
        for run in plan.runs where files[run.configuration.data] == nil {
            do {
                files[run.configuration.data] = try DataFileFingerprint.files(of: run.configuration.data)
            } catch {
                throw RunnerError("cannot read the data files of run \(run.index) to record their checksums: \(error)")
            }
        }
        return files
    }

    /// Loads every distinct data set once, before any worker starts.
    private func loadDatasets(for runs: [PlannedRun]) throws -> [DataSpec: Dataset] {
        var datasets: [DataSpec: Dataset] = [:]
        for run in runs where datasets[run.configuration.data] == nil {
            do {
                datasets[run.configuration.data] = try DatasetLoader.load(run.configuration.data)
            } catch {
                throw RunnerError.input("cannot load the data set of run \(run.index): \(error)")
            }
        }
        return datasets
    }
}
