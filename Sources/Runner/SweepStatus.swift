import Foundation
import Planning
import Results

/// A sharded sweep's progress, from its shard files and the part files of shards in progress.
public struct SweepStatus: Sendable {
    /// One shard's progress.
    public struct ShardProgress: Sendable, Equatable {
        public var shard: Shard
        public var planned: Int
        public var finished: Int
        public var diverged: Int
        public var failed: Int
        /// Planned runs with no result yet.
        public var pending: Int { planned - finished - diverged - failed }
        /// Whether the shard file exists (written when the shard ends or is interrupted).
        public var hasFile: Bool
        /// Whether part files of an unfinished run exist.
        public var inProgress: Bool
        /// Whether a `run` is writing the shard now (its locks are held); nil when that cannot
        /// be told (a lock file this process cannot read).
        public var running: Bool? = nil

        /// "stopped" is a shard started and no longer running (killed, preempted, interrupted):
        /// it keeps its finished runs, and resubmitting it resumes them.
        public var state: String {
            if pending == 0 && hasFile && !inProgress { return "done" }
            if running == true { return "running" }
            if inProgress || hasFile { return running == false ? "stopped" : "started" }
            return "not started"
        }
    }

    public var shards: [ShardProgress]

    /// Reads the progress of the `count` shards of `plan` laid out as `layout`.
    public init(plan: GridPlan, count: Int, layout: SweepLayout) throws {
        shards = try zip(1...count, plan.shards(count: count)).map { index, shardPlan in
            let shard = try Shard(index: index, count: count)
            let runs = shardPlan.runs
            let path = layout.shardPath(index)
            var statuses: [String: RunRecord.RecordStatus] = [:]
            let hasFile = FileManager.default.fileExists(atPath: path)
            let journal = RunJournal(resultsPath: path)
            // Counted against the wrong grid or cut, a shard's runs would all read as pending.
            func otherShard(_ place: String, _ stored: String) -> ResultsFileError {
                ResultsFileError("\(place) is shard \(stored.isEmpty ? "(none: a whole grid)" : stored), not \(shard); "
                                 + "give the sweep's own shard count with --shards, or leave it out")
            }
            // A journal of an --overwrite replaces the file: its runs are the shard's, the file's are not.
            if hasFile && !journal.replacesResults {
                let differences = plan.differences(fromStored: try ResultsFile.canonicalGridText(at: path))
                guard differences.isEmpty else {
                    throw ResultsFileError("\(path) holds another grid than the sweep's:\n" + GridPlan.listing(differences))
                }
                let stored = try ResultsFile.shardText(at: path)
                guard stored == shard.description else { throw otherShard(path, stored) }
                // Checked as `merge` will read it, but without its tensors, which a count does not need.
                for record in try ResultsFile.read(at: path, tensors: .shapes) { statuses[record.run.key] = record.status }
            }
            // A journal being created may not have its shard marker yet: only a marker that is there counts.
            let marker = journal.exists ? journal.shard() : ""
            guard marker.isEmpty || marker == shard.description else { throw otherShard(journal.directory, marker) }
            for key in journal.recordedKeys() where statuses[key] == nil || statuses[key] == .pending {
                // A part file that cannot be read yet is being written: it counts as pending.
                // Only its status is read: a part file is written whole under another name and
                // renamed, so one that opens is complete (`run --resume` reads it in full).
                if let stored = try? ResultsFile.runStatuses(at: journal.shardPath(forKey: key)), stored.count == 1, stored[0].key == key {
                    statuses[key] = stored[0].status
                }
            }
            let counts = runs.map { statuses[$0.key] ?? .pending }
            return ShardProgress(
                shard: shard, planned: runs.count,
                finished: counts.filter { $0 == .finished }.count, diverged: counts.filter { $0 == .diverged }.count,
                failed: counts.filter { $0 == .failed }.count, hasFile: hasFile, inProgress: journal.exists,
                running: Self.isRunning(journal: journal, lock: OutputLock.holding(ofResultsPath: path)))
        }
    }

    /// A shard is running while either of its locks is held: the journal's (which a run holds
    /// from when it begins the journal, after loading its data) or the results path's (held
    /// from the start, but a lock file can be deleted by hand).
    static func isRunning(journal: RunJournal, lock: OutputLock.Holding) -> Bool? {
        if case .held = lock { return true }
        let journalHeld = journal.exists ? journal.isHeld() : false
        if journalHeld == true { return true }
        if journalHeld == nil || lock == .unknown { return nil }
        return false
    }

    /// The shard count a sweep directory's files name ("I/N" in shard files and part
    /// directories), or, with `orArrayScript` and no shard started, its job array's size.
    public static func shardCount(in layout: SweepLayout, orArrayScript: Bool = false) -> Int? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.directory)) ?? []
        var counts: Set<Int> = []
        for name in names where name.hasPrefix("shard-") {
            let path = layout.directory + "/" + name
            let text: String?
            if name.hasSuffix(".h5.parts") {
                text = RunJournal(resultsPath: String(path.dropLast(".parts".count))).shard()
            } else if name.hasSuffix(".h5") {
                text = try? ResultsFile.shardText(at: path)
            } else {
                text = nil
            }
            if let text, let shard = try? Shard(parsing: text) { counts.insert(shard.count) }
        }
        // Before any shard has started (the array still queued), the array script knows.
        if counts.isEmpty, orArrayScript, let script = OutputPath.head(of: layout.arrayScriptPath, count: 65_536) {
            let lines = String(decoding: script, as: UTF8.self).split(separator: "\n")
            if let line = lines.first(where: { $0.hasPrefix("#SBATCH --array=1-") }), let count = Int(line.dropFirst("#SBATCH --array=1-".count)) {
                counts.insert(count)
            }
        }
        return counts.count == 1 ? counts.first : counts.max()
    }

    /// The table `decaybench status` prints.
    public var text: String {
        func cell(_ value: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - value.count)) + value }
        var lines = ["shard  planned  finished  diverged  failed  pending  state"]
        for progress in shards {
            lines.append([cell(progress.shard.description, 5), cell("\(progress.planned)", 7), cell("\(progress.finished)", 8),
                          cell("\(progress.diverged)", 8), cell("\(progress.failed)", 6), cell("\(progress.pending)", 7),
                          progress.state].joined(separator: "  "))
        }
        let planned = shards.map(\.planned).reduce(0, +), pending = shards.map(\.pending).reduce(0, +)
        let done = shards.filter { $0.state == "done" }.count
        lines.append("\(planned - pending) of \(planned) runs have a result; \(done) of \(shards.count) shards done")
        return lines.joined(separator: "\n")
    }
}
