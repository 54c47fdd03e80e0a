import Datasets
import Foundation
import Results
import Training

/// One run as a results file records it, with everything a rerun needs: its configuration
/// (checked against its key), its curves and final tensors, the data files it read, its
/// configuration format, and the provenance of the session that wrote the file.
public struct StoredRun: Sendable {
    public var path: String
    public var record: RunRecord
    public var provenance: Provenance
    /// What the stored configuration means, as the file records it for the run.
    public var configurationFormat: Int64 { record.configurationFormat }
    /// nil for files written before data files were recorded.
    public var dataFiles: [DataFileFingerprint]?
    /// Ways the stored configuration disagrees with its key or with itself; empty when intact.
    public var configurationProblems: [String]

    /// The key the file files the run under (its `/runs` row and `/config` group).
    public var key: String

    /// Every run of the file at `path`, in the file's order.
    public static func loadAll(from path: String) throws -> [StoredRun] {
        try load(from: path, keys: nil)
    }

    /// The runs of the file at `path` whose keys are in `keys` (every run when nil), in the
    /// file's order. Only those runs' settings, tensors and facts are read: rerunning one run
    /// of a 100,000-run file does not read the other 99,999.
    public static func load(from path: String, keys wanted: Set<String>?) throws -> [StoredRun] {
        let keys = try ResultsFile.runKeys(at: path).filter { wanted?.contains($0) ?? true }
        let records = try ResultsFile.read(at: path, keys: wanted)
        let provenance = try ResultsFile.provenance(at: path)
        return try zip(keys, records).map { key, record in
            StoredRun(path: path, record: record, provenance: provenance,
                      dataFiles: try ResultsFile.dataFiles(at: path, key: key),
                      configurationProblems: try ResultsFile.configurationProblems(at: path, key: key), key: key)
        }
    }

    /// The run `key` (or the one run whose key starts with it) of the file at `path`.
    public static func load(from path: String, key: String) throws -> StoredRun {
        let keys = try ResultsFile.runKeys(at: path)
        let matching = KeyLookup.matches(keys, key: key, keyOf: { $0 })
        guard matching.count == 1 else {
            if matching.count > 1 {
                throw ReproductionError(KeyLookup.ambiguity(in: path, key: key, keys: matching))
            }
            throw ReproductionError("\(path) has no run \(key)"
                                    + (keys.count <= 20 ? "; its runs are \(keys.joined(separator: ", "))" : "; `decaybench inspect \(path)` lists its \(keys.count) runs"))
        }
        return try load(from: path, keys: [matching[0]])[0]
    }
}

/// A run that cannot be rebuilt or compared, with a sentence a user can act on.
public struct ReproductionError: Error, CustomStringConvertible {
    public let description: String
    /// Whether the stored run is at fault (its configuration was edited after it ran), as
    /// opposed to this environment, which cannot train it again (its data, its threads).
    public let storedRunAltered: Bool

    public init(_ description: String, storedRunAltered: Bool = false) {
        self.description = description
        self.storedRunAltered = storedRunAltered
    }
}
