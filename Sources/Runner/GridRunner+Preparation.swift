import Datasets
import Foundation
import Planning
import Results
import Training

/// Deciding where a run starts, and readying the journal: the steps before any training.
extension GridRunner {
    /// Where a run starts from: nothing, a journal of an interrupted run, a results file
    /// with pending runs, or a results file that is already complete.
    enum StartingPoint {
        case fresh
        case journal
        case resultsFile
        /// Every run has a result: nothing is computed and the file is not rewritten.
        case finishedFile
    }

    struct Start {
        var point: StartingPoint
        /// Runs already finished, validated (unreadable shards are not among them).
        var finished: [RunRecord]
        /// Whether the journal has to be (re)created: absent, or left without its manifest.
        var needsManifest: Bool
        /// Runs of `finished` taken from `--reuse` files, with the file each came from.
        var reused: [(record: RunRecord, source: String)] = []
        /// Whether this resumes an `--overwrite`: the results file's runs are not taken, and
        /// the file is replaced once the grid is complete.
        var replacesFile = false

        /// How many runs each reused file gave, in the order the files were named.
        var reusedCounts: [(source: String, count: Int)] {
            var order: [String] = []
            var counts: [String: Int] = [:]
            for (_, source) in reused {
                if counts[source] == nil { order.append(source) }
                counts[source, default: 0] += 1
            }
            return order.map { ($0, counts[$0]!) }
        }
    }

    /// Decides, without changing anything, where this run starts from: its own results file
    /// and journal, then the `--reuse` files for runs those do not have.
    func startingPoint(_ journal: RunJournal) throws -> Start {
        var start = try ownStartingPoint(journal)
        guard start.point != .finishedFile else { return start }
        var byKey = Dictionary(start.finished.map { ($0.run.key, $0) }, uniquingKeysWith: { first, _ in first })
        start.reused = try reusableRuns(besides: Set(byKey.keys))
        for (record, _) in start.reused { byKey[record.run.key] = record }
        start.finished = plan.runs.compactMap { byKey[$0.key] }
        return start
    }

    /// Where this run starts from, judging by its own results file and journal alone.
    private func ownStartingPoint(_ journal: RunJournal) throws -> Start {
        let path = options.resultsPath
        let fileExists = FileManager.default.fileExists(atPath: path)
        let state = journal.state
        switch state {
        case .foreignDirectory(let unknown):
            throw RunnerError.input("\(journal.directory) exists but is not a decaybench journal (it holds "
                               + unknown.prefix(5).joined(separator: ", ") + (unknown.count > 5 ? ", …" : "")
                               + "); decaybench keeps its unfinished runs under that name: move it away or choose another --out")
        case .notADirectory:
            throw RunnerError.input("\(journal.directory) exists and is not a directory; decaybench keeps its unfinished runs "
                               + "under that name: move it away or choose another --out")
        case .absent, .journal, .remnant:
            break
        }
        if options.overwrite {
            return Start(point: .fresh, finished: [], needsManifest: true)
        }
        guard options.resume else {
            var existing: [String] = []
            if fileExists { existing.append("\(path) already exists") }
            if state == .journal { existing.append("\(journal.directory) (the unfinished runs of \(path)) already exists") }
            if state == .remnant { existing.append("\(journal.directory) (a journal left part-way through its removal) already exists") }
            guard existing.isEmpty else {
                throw RunnerError.input(existing.joined(separator: " and ")
                                   + "; add --resume to finish it, --overwrite to replace it, or choose another --out")
            }
            return Start(point: .fresh, finished: [], needsManifest: true)
        }

        var finished: [String: RunRecord] = [:]
        var point = StartingPoint.fresh
        // An --overwrite cut short finishes as an overwrite: the file it was replacing may hold
        // runs of this grid computed by another build, and they must not displace the new ones.
        // (`run` has already refused a file at `path` that is not HDF5, as --overwrite does.)
        let replacesFile = journal.replacesResults
        if fileExists && !replacesFile {
            let stored: String
            do {
                stored = try ResultsFile.canonicalGridText(at: path)
            } catch {
                // Not a file a run wrote (text, a truncated file, someone else's HDF5): never replaced here.
                throw RunnerError.input("cannot resume \(path): it is not a readable DecayBench results file (\(error)); "
                                        + "move it away or choose another --out")
            }
            let differences = plan.differences(fromStored: stored)
            guard differences.isEmpty else {
                throw RunnerError.input("cannot resume \(path): it holds a different grid:\n"
                                   + GridPlan.listing(differences, atMost: .max)
                                   + "\nuse another --out, or replace it with --overwrite")
            }
            let storedShard: String, storedRecords: [RunRecord]
            do {
                storedShard = try ResultsFile.shardText(at: path)
                storedRecords = try ResultsFile.readRecords(at: path, plan: plan)
            } catch {
                // Damage below the grid's text (a table, a curve): the file's fault, as above.
                throw RunnerError.input("cannot resume \(path): \(error); move it away, or start afresh with --overwrite")
            }
            try checkShard(stored: storedShard, in: path)
            for record in storedRecords where record.status != .pending {
                // Same key, other numbers: as for a saved run, computed again rather than kept.
                if let change = ConfigurationFormat.meaningChange(from: record.configurationFormat, of: record.run.configuration) {
                    progress?.note("run \(record.run.index) (\(record.run.key)) of \(path) was computed before a change of meaning; "
                                   + "it will run again: \(change)")
                    continue
                }
                finished[record.run.key] = record
            }
            point = .resultsFile
        }
        if state == .journal {
            let stored: String
            do {
                stored = try journal.canonicalText()
            } catch {
                throw RunnerError("cannot resume \(path): cannot read \(journal.directory)/\(RunJournal.manifestName): \(error)")
            }
            let differences = plan.differences(fromStored: stored)
            guard differences.isEmpty else {
                throw RunnerError.input("cannot resume \(path): the grid file has changed since the run started:\n"
                                   + GridPlan.listing(differences, atMost: .max)
                                   + "\nrestore the original grid, or start afresh with --overwrite")
            }
            try checkShard(stored: journal.shard(), in: journal.directory)
        }
        if state == .journal || state == .remnant {
            // A shard is named by its run's key, the hash of the run's whole configuration, so
            // a shard of a planned key is that run's result even without the manifest.
            for record in readableShards(journal) where finished[record.run.key] == nil {
                finished[record.run.key] = record
            }
            if point == .fresh || state == .journal { point = .journal }
        }
        let records = plan.runs.compactMap { finished[$0.key] }
        if fileExists && !replacesFile && records.count == plan.runs.count && (try? ResultsFile.isComplete(at: path)) == true {
            return Start(point: .finishedFile, finished: records, needsManifest: false)
        }
        return Start(point: point, finished: records, needsManifest: state != .journal, replacesFile: replacesFile)
    }

    /// The finished runs of the `--reuse` files that this grid plans and has not finished
    /// itself: a run's key is the hash of its whole configuration, so a run of that key in
    /// any results file is this run's result, computed when and where its row says.
    func reusableRuns(besides finished: Set<String>) throws -> [(record: RunRecord, source: String)] {
        let planned = Dictionary(plan.runs.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var taken = finished
        var reused: [(record: RunRecord, source: String)] = []
        for source in options.reusePaths {
            let records: [RunRecord]
            do {
                records = try ResultsFile.readAll(at: source)
            } catch {
                throw RunnerError.input("--reuse \(source): not a readable results file: \(error)")
            }
            for var record in records where record.status != .pending && !taken.contains(record.run.key) {
                guard let run = planned[record.run.key] else { continue }
                // Same key, other numbers: a run stored before a change of meaning is computed again.
                if ConfigurationFormat.meaningChange(from: record.configurationFormat, of: record.run.configuration) != nil { continue }
                record.run = run
                taken.insert(run.key)
                reused.append((record, source))
            }
        }
        return reused
    }

    /// Refuses to reuse a run that read other data files than this session would.
    ///
    /// Every run of one data specification in one file read the same files, so each pair is
    /// checked once, not once per run (each check opens the file).
    func checkReusedData(_ start: Start, now: [DataSpec: [DataFileFingerprint]]) throws {
        var checked: [String: Set<DataSpec>] = [:]
        for (record, source) in start.reused where checked[source, default: []].insert(record.run.configuration.data).inserted {
            guard let recorded = try ResultsFile.dataFiles(at: source, key: record.run.key),
                  let current = now[record.run.configuration.data], recorded != current else { continue }
            throw RunnerError.input("--reuse \(source): run \(record.run.key) read other data files than this grid would "
                               + "(\(recorded.map { "\($0.path) sha256 \($0.sha256.prefix(12))…" }.joined(separator: ", ")) then, "
                               + "\(current.map { "\($0.path) sha256 \($0.sha256.prefix(12))…" }.joined(separator: ", ")) now); "
                               + "its numbers would not belong with the new ones: leave --reuse out")
        }
    }

    /// Refuses to resume one shard's output as another shard, or as the whole grid.
    func checkShard(stored: String, in place: String) throws {
        let current = plan.shard?.description ?? ""
        guard stored == current else {
            func name(_ shard: String) -> String { shard.isEmpty ? "the whole grid" : "shard \(shard)" }
            throw RunnerError.input("cannot resume \(options.resultsPath): \(place) holds \(name(stored)), this run is \(name(current)); "
                               + "give each shard its own --out")
        }
    }

    /// Readies the journal for `start`: the only step that changes files before training.
    ///
    /// - Parameter dataFiles: the files each data set reads now, which `checkDataUnchanged` and
    ///   `checkReusedData` found the runs of `start` read too; their journal copies record them.
    func begin(_ journal: RunJournal, from start: Start, dataFiles: [DataSpec: [DataFileFingerprint]]) throws {
        if start.point == .fresh && journal.exists {
            // With --overwrite an old journal goes (only what DecayBench wrote there); an old
            // results file stays until the new one replaces it, so a refused or crashed
            // overwrite loses nothing.
            let left = journal.remove(includedKeys: journal.recordedKeys())
            guard left.isEmpty else {
                throw RunnerError("cannot clear \(journal.directory): it also holds \(left.joined(separator: ", "))")
            }
        }
        if start.needsManifest {
            try journal.create(canonicalText: plan.canonicalText, shard: plan.shard?.description ?? "",
                               replacing: options.overwrite && FileManager.default.fileExists(atPath: options.resultsPath))
        }
        if start.point == .resultsFile || !start.reused.isEmpty {
            // Keep the runs of the results file and the reused ones in the journal too, so
            // the journal alone can finish the grid. With their data files: a copy that
            // recorded none stopped every --resume as if the data had changed.
            let recorded = journal.recordedKeys()
            var metadata = ResultsFile.Metadata.shard(commandLine: options.commandLine, provenance: .current())
            metadata.dataFiles = dataFiles
            for record in start.finished where !recorded.contains(record.run.key) {
                try ResultsFile.write(records: [record], plan: nil, metadata: metadata,
                                      to: journal.shardPath(forKey: record.run.key), for: .journal)
            }
        }
    }

    /// The journal's finished runs that can be read back; unreadable shards are removed so
    /// that their runs are computed again now, not discovered missing at the end.
    func readableShards(_ journal: RunJournal) -> [RunRecord] {
        let planned = Set(plan.runs.map(\.key))
        var records: [RunRecord] = []
        for key in journal.recordedKeys() where planned.contains(key) {
            do {
                let path = journal.shardPath(forKey: key)
                let record = try ResultsFile.readShard(at: path)
                if let change = ConfigurationFormat.meaningChange(from: record.configurationFormat, of: record.run.configuration) {
                    // Same key, other numbers: keeping it would mix two meanings in one grid.
                    progress?.note("discarding saved run \(key), computed before a change of meaning; it will run again: \(change)")
                    try? FileManager.default.removeItem(atPath: path)
                    continue
                }
                records.append(record)
            } catch {
                progress?.note("discarding an unreadable saved run \(key); it will run again: \(error)")
                try? FileManager.default.removeItem(atPath: journal.shardPath(forKey: key))
            }
        }
        return records
    }

    /// Refuses to finish a grid whose earlier runs read other data files than this session
    /// would: their results and the new ones would not belong together.
    func checkDataUnchanged(since start: Start, journal: RunJournal, now: [DataSpec: [DataFileFingerprint]]) throws {
        guard start.point != .fresh else { return }
        let path = options.resultsPath
        let shards = journal.recordedKeys()
        for record in start.finished {
            let source = shards.contains(record.run.key) ? journal.shardPath(forKey: record.run.key) : path
            guard let recorded = try? ResultsFile.dataFiles(at: source, key: record.run.key),
                  let current = now[record.run.configuration.data], recorded != current else { continue }
            // An empty list where the data set reads files is no record: earlier builds wrote
            // one into the journal copies of reused runs, and a journal they left must resume.
            if recorded.isEmpty { continue }
            let changed = zip(recorded, current).filter { $0 != $1 }.map { "\($0.0.path) (sha256 \($0.0.sha256.prefix(12))… then, \($0.1.sha256.prefix(12))… now)" }
            throw RunnerError.input("cannot resume \(path): the data files of run \(record.run.index) (\(record.run.key)) have changed since it was computed: "
                               + (changed.isEmpty ? "\(recorded.map(\.path)) then, \(current.map(\.path)) now" : changed.joined(separator: ", "))
                               + "\nrestore them, or start afresh with --overwrite")
        }
    }

    /// Every run's configuration values, checked before anything starts.
    func checkConfigurations() throws {
        var problems: [String] = []
        for run in plan.runs {
            for problem in run.configuration.problems() {
                problems.append("run \(run.index) (\(run.coordinates.map { "\($0.axis)=\($0.label)" }.joined(separator: " "))): \(problem)")
            }
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(20).joined(separator: "\n")
            throw RunnerError.input("the grid has invalid settings:\n\(shown)" + (problems.count > 20 ? "\n… and \(problems.count - 20) more" : ""))
        }
    }
}
