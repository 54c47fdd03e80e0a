import Datasets
import Foundation
import HDF5Store
import Planning

/// Shard files of one grid put back together: one record per planned run, in grid order.
///
/// Every shard must hold the same grid (compared in canonical form); a run finished in two
/// files is refused rather than one copy silently chosen; runs no shard has finished come
/// back pending and are listed, so a partial merge is never mistaken for a whole grid.
public struct ShardMerge: Sendable {
    /// One record per planned run, in grid order; runs no shard finished are pending.
    public var records: [RunRecord]
    /// Planned runs no shard has finished, in grid order.
    public var missing: [PlannedRun]
    /// The earliest start and the latest end among the shards.
    public var startedUTC: Date
    public var finishedUTC: Date
    /// The data files the shards recorded, by data specification, for the merged file.
    public var dataFiles: [DataSpec: [DataFileFingerprint]] = [:]

    /// One data set as one shard file recorded it: checked once per file.
    private struct DataInFile: Hashable {
        var path: String
        var data: DataSpec
    }

    /// Reads `paths` and merges their runs into `plan`.
    ///
    /// - Parameter planSource: where `plan` came from, for messages; the first file by default.
    ///   When it is one of `paths`, a difference there means that file is damaged.
    /// - Throws: `ResultsFileError` naming the file when one holds another grid, a run the
    ///   grid does not have, or a run another file already holds.
    public init(plan: GridPlan, paths: [String], planSource: String? = nil) throws {
        var found: [String: (record: RunRecord, path: String)] = [:]
        let planned = Set(plan.runs.map(\.key))
        let iso = ISO8601DateFormatter()
        var started: Date?, finished: Date?
        var recordedData: [DataSpec: (files: [DataFileFingerprint], path: String)] = [:]
        var checkedData = Set<DataInFile>()
        // A grid file given for the merged file (not one of the shards) brings its own
        // description; only what the runs compute must match.
        let fromGridFile = planSource.map { !paths.contains($0) } ?? false
        for path in paths {
            let stored = try ResultsFile.canonicalGridText(at: path)
            let differences = plan.differences(fromStored: stored, ignoring: fromGridFile ? ["description"] : [])
            guard differences.isEmpty else {
                if planSource == path {
                    // The grid was read from this very file: its stored forms disagree.
                    throw ResultsFileError("\(path): its grid text and its canonical grid disagree; the file is damaged:\n"
                                           + GridPlan.listing(differences))
                }
                throw ResultsFileError("\(path) holds another grid than \(planSource ?? paths[0]):\n"
                                       + GridPlan.listing(differences))
            }
            for record in try ResultsFile.readAll(at: path) where record.status != .pending {
                guard planned.contains(record.run.key) else {
                    throw ResultsFileError("\(path) holds run \(record.run.key), which the grid does not have; the file is damaged")
                }
                if let earlier = found[record.run.key] {
                    guard earlier.path != path else {
                        throw ResultsFileError("\(path) holds run \(record.run.index) (\(record.run.key)) twice; the file is damaged")
                    }
                    throw ResultsFileError("run \(record.run.index) (\(record.run.key)) is in both \(earlier.path) and \(path); "
                                           + "a run must come from one shard only: leave one of the files out")
                }
                found[record.run.key] = (record, path)
                let data = record.run.configuration.data
                guard checkedData.insert(DataInFile(path: path, data: data)).inserted,
                      let files = try ResultsFile.dataFiles(at: path, key: record.run.key) else { continue }
                // Shards of one grid must have read the same bytes: merged, runs computed on
                // other data would be filed under one data set's checksums, and reruns of
                // half of them would "differ". Paths may differ from machine to machine; bytes may not.
                if let (earlier, source) = recordedData[data] {
                    let before = Dictionary(earlier.map { ($0.role, $0) }, uniquingKeysWith: { first, _ in first })
                    for file in files {
                        guard let other = before[file.role], other.sha256 != file.sha256 || other.bytes != file.bytes else { continue }
                        throw ResultsFileError("\(path) was computed on other data than \(source): its \(file.role) file "
                                               + "\(file.path) has SHA-256 \(file.sha256), where \(other.path) had \(other.sha256); "
                                               + "merge shards computed on the same data (run the shard again on it)")
                    }
                } else {
                    recordedData[data] = (files, path)
                }
            }
            let file = try HDF5File.open(at: path)
            if let date = iso.date(from: try file.root.stringAttribute("started_utc")) { started = min(started ?? date, date) }
            if let date = iso.date(from: try file.root.stringAttribute("finished_utc")) { finished = max(finished ?? date, date) }
        }
        records = plan.runs.map { run in
            guard var record = found[run.key]?.record else { return RunRecord.pending(run) }
            record.run = run
            return record
        }
        missing = plan.runs.filter { found[$0.key] == nil }
        dataFiles = recordedData.mapValues(\.files)
        startedUTC = started ?? Date()
        finishedUTC = finished ?? Date()
    }
}
