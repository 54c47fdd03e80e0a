import Foundation
import Planning
import Results

/// Deciding where a run starts, and readying the journal: the steps before any training.
extension GridRunner {
    /// Where a run starts from: nothing, a journal of an interrupted run, or a finished file.
    enum StartingPoint {
        case fresh
        case journal
        case resultsFile
    }

    struct Start {
        var point: StartingPoint
        /// Runs already finished, validated (unreadable shards are not among them).
        var finished: [RunRecord]
    }

    /// Decides, without changing anything, where this run starts from.
    func startingPoint(_ journal: RunJournal) throws -> Start {
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
                    throw RunnerError("cannot resume \(path): \(journal.directory) lacks its grid description; "
                                       + "remove that directory to start afresh, or use --overwrite")
                }
                let differences = plan.differences(fromStored: stored)
                guard differences.isEmpty else {
                    throw RunnerError("cannot resume \(path): the grid file has changed since the run started:\n"
                                       + differences.map { "  " + $0 }.joined(separator: "\n")
                                       + "\nrestore the original grid, or start afresh with --overwrite")
                }
                try checkShard(stored: journal.shard(), in: journal.directory)
                return Start(point: .journal, finished: readableShards(journal))
            }
            if fileExists {
                let stored = try ResultsFile.canonicalGridText(at: path)
                let differences = plan.differences(fromStored: stored)
                guard differences.isEmpty else {
                    throw RunnerError("cannot resume \(path): it holds a different grid:\n"
                                       + differences.map { "  " + $0 }.joined(separator: "\n")
                                       + "\nuse another --out, or replace it with --overwrite")
                }
                try checkShard(stored: try ResultsFile.shardText(at: path), in: path)
                let records = try ResultsFile.readRecords(at: path, plan: plan)
                return Start(point: .resultsFile, finished: records.filter { $0.status != .pending })
            }
            return Start(point: .fresh, finished: [])
        }
        if fileExists || journal.exists {
            throw RunnerError("\(path) already exists\(journal.exists ? " (with unfinished runs in \(journal.directory))" : ""); "
                               + "add --resume to finish it, --overwrite to replace it, or choose another --out")
        }
        return Start(point: .fresh, finished: [])
    }

    /// Refuses to resume one shard's output as another shard, or as the whole grid.
    func checkShard(stored: String, in place: String) throws {
        let current = plan.shard?.description ?? ""
        guard stored == current else {
            func name(_ shard: String) -> String { shard.isEmpty ? "the whole grid" : "shard \(shard)" }
            throw RunnerError("cannot resume \(options.resultsPath): \(place) holds \(name(stored)), this run is \(name(current)); "
                               + "give each shard its own --out")
        }
    }

    /// Readies the journal for `start`: the only step that changes files before training.
    func begin(_ journal: RunJournal, from start: Start) throws {
        switch start.point {
        case .journal:
            return
        case .fresh:
            // With --overwrite an old journal goes; an old results file stays until the new
            // one replaces it, so a refused or crashed overwrite loses nothing.
            if journal.exists { try journal.remove() }
            try journal.create(canonicalText: plan.canonicalText, shard: plan.shard?.description ?? "")
        case .resultsFile:
            // A results file without a journal: rebuild the journal from it so that the runs
            // it holds are kept.
            try journal.create(canonicalText: plan.canonicalText, shard: plan.shard?.description ?? "")
            for record in start.finished {
                try ResultsFile.write(records: [record], plan: nil, metadata: .shard(commandLine: options.commandLine, provenance: .current()),
                                      to: journal.shardPath(forKey: record.run.key))
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
                records.append(try ResultsFile.readShard(at: journal.shardPath(forKey: key)))
            } catch {
                progress?.note("discarding an unreadable saved run \(key); it will run again: \(error)")
                try? FileManager.default.removeItem(atPath: journal.shardPath(forKey: key))
            }
        }
        return records
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
            throw RunnerError("the grid has invalid settings:\n\(shown)" + (problems.count > 20 ? "\n… and \(problems.count - 20) more" : ""))
        }
    }
}
