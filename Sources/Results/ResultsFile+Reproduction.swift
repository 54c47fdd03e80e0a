import Datasets
import Foundation
import HDF5Store
import Training

/// What a rerun needs beyond a run's configuration: which data files (by checksum) it read
/// and what its stored configuration means (the configuration format).
extension ResultsFile {
    /// Writes each run's data-file fingerprints (`data_files`, JSON) and the configuration
    /// format into `/config/<key>`, and the format at the root.
    static func writeReproductionFacts(_ root: HDF5Group, records: [RunRecord], metadata: Metadata) throws {
        try root.setAttribute("configuration_format", .int64(ConfigurationFormat.current))
        let configurations = try root.group("config")
        for record in records {
            let group = try configurations.group(record.run.key)
            let files = metadata.dataFiles[record.run.configuration.data] ?? []
            try group.setAttribute("data_files", .string(try encodeDataFiles(files)))
            try group.setAttribute("configuration_format", .int64(ConfigurationFormat.current))
        }
    }

    static func encodeDataFiles(_ files: [DataFileFingerprint]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(files), as: UTF8.self)
    }

    /// The data files a run of `path` read, as recorded; nil when the file predates the record.
    public static func dataFiles(at path: String, key: String) throws -> [DataFileFingerprint]? {
        let group = try HDF5File.open(at: path).root.group("config/\(key)")
        guard try group.hasAttribute("data_files") else { return nil }
        return try JSONDecoder().decode([DataFileFingerprint].self, from: Data(try group.stringAttribute("data_files").utf8))
    }
}
