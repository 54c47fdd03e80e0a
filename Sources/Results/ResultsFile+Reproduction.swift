import Datasets
import Foundation
import HDF5Store
import Training

/// What a rerun needs beyond a run's configuration: which data files (by checksum) it read
/// and what its stored configuration means (the configuration format).
extension ResultsFile {
    /// Writes the data-file fingerprints and the configuration formats: each distinct list of
    /// fingerprints once, as JSON, in `/data_files` (attributes "0", "1", …), and in every
    /// `/config/<key>` the number of its list (`data_files_id`) and the run's own format (a
    /// merged or resumed run of an older build keeps its own); the root has the writer's.
    ///
    /// Every run of a grid usually reads the same files: one copy of their 700-byte list per
    /// file rather than per run keeps a 750-run file a tenth smaller.
    static func writeReproductionFacts(_ root: HDF5Group, records: [RunRecord], metadata: Metadata) throws {
        try root.setAttribute("configuration_format", .int64(ConfigurationFormat.current))
        let lists = try root.createGroup("data_files")
        try lists.setAttribute("description", .string("each data set's files as JSON (role, resolved path, bytes, sha256), "
                                                     + "numbered; /config/<key> data_files_id names a run's"))
        var numbers: [String: Int64] = [:]
        let configurations = try root.group("config")
        for record in records {
            let group = try configurations.group(record.run.key)
            let json = try encodeDataFiles(metadata.dataFiles[record.run.configuration.data] ?? [])
            let number: Int64
            if let known = numbers[json] {
                number = known
            } else {
                number = Int64(numbers.count)
                numbers[json] = number
                try lists.setAttribute(String(number), .string(json))
            }
            try group.setAttribute("data_files_id", .int64(number))
            try group.setAttribute("configuration_format", .int64(record.configurationFormat))
        }
    }

    static func encodeDataFiles(_ files: [DataFileFingerprint]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(files), as: UTF8.self)
    }

    /// The data files a run of `path` read, as recorded; nil when the file predates the record.
    /// Schema 2 kept the list in the run's own `data_files` attribute; schema 3 numbers it.
    public static func dataFiles(at path: String, key: String) throws -> [DataFileFingerprint]? {
        let root = try HDF5File.open(at: path).root
        let group = try root.group("config/\(key)")
        let json: String
        if try group.hasAttribute("data_files") {
            json = try group.stringAttribute("data_files")
        } else if try group.hasAttribute("data_files_id") {
            let number = try group.int64Attribute("data_files_id")
            let lists = try root.group("data_files")
            guard try lists.hasAttribute(String(number)) else {
                throw ResultsFileError("\(path): run \(key) names data-file list \(number), which /data_files lacks; the file is damaged")
            }
            json = try lists.stringAttribute(String(number))
        } else {
            return nil
        }
        do {
            return try JSONDecoder().decode([DataFileFingerprint].self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw ResultsFileError("\(path): the data-file list of run \(key) is not one (\(ResultsFileError.brief(error))); the file is damaged")
        }
    }
}

extension ResultsFile {
    /// The provenance recorded at the file's root (the session that wrote it).
    public static func provenance(at path: String) throws -> Provenance {
        let root = try HDF5File.open(at: path).root
        return Provenance(
            harnessVersion: try root.stringAttribute("decaybench_version"), gitCommit: try root.stringAttribute("git_commit"),
            swiftVersion: try root.stringAttribute("swift_version"), hdf5Version: try root.stringAttribute("hdf5_version"),
            openBLASConfiguration: try root.stringAttribute("openblas_config"), blasCoreName: try root.stringAttribute("blas_core"),
            cpu: try root.stringAttribute("cpu"), logicalCores: Int(try root.int64Attribute("logical_cores")),
            hostName: try root.stringAttribute("host"), openBLASEnvironment: try root.stringAttribute("openblas_environment"))
    }

    /// Ways in which the stored configuration of run `key` disagrees with itself: its
    /// canonical JSON must hash to its key, and every flat attribute must equal the JSON's
    /// value. Empty when the configuration is intact; an edited file shows here.
    public static func configurationProblems(at path: String, key: String) throws -> [String] {
        let group = try HDF5File.open(at: path).root.group("config/\(key)")
        let configuration: RunConfiguration
        do {
            configuration = try RunConfiguration.decode(canonicalJSON: try group.stringAttribute("json"))
        } catch {
            return ["its stored JSON does not decode: \(error)"]
        }
        var problems: [String] = []
        if configuration.key != key {
            problems.append("its stored JSON hashes to key \(configuration.key), not \(key): the configuration was changed after the run")
        }
        for (name, value) in ConfigurationAttributes.flatten(configuration) {
            guard try group.hasAttribute(name) else {
                problems.append("attribute \(name) is missing")
                continue
            }
            let stored = try group.attribute(name)
            if stored != value {
                problems.append("attribute \(name) is \(stored) but the stored JSON says \(value)")
            }
        }
        return problems
    }
}

extension ResultsFile {
    /// The `key` column of `/runs`, in the file's order.
    public static func runKeys(at path: String) throws -> [String] {
        let table = try HDF5File.open(at: path).root.dataset("runs").readTable()
        guard case .strings(_, let keys)? = table.column(named: "key") else {
            throw ResultsFileError("\(path): /runs lacks the column key")
        }
        return keys
    }
}

extension ResultsFile {
    /// The root attributes as text, by name (numbers printed as numbers), for `inspect`.
    public static func rootAttributes(at path: String) throws -> [String: String] {
        let root = try HDF5File.open(at: path).root
        var attributes: [String: String] = [:]
        for name in try root.attributeNames() {
            attributes[name] = text(of: try root.attribute(name))
        }
        for name in ["description", "grid_text", "grid_canonical", "command_line"] where attributes[name] == nil {
            if try root.contains(name) { attributes[name] = try rootText(root, name) }
        }
        return attributes
    }

    /// Every attribute of `/config/<key>` as (name, text), in name order, with the run's data
    /// files as `data_files` (JSON) however the file stores them.
    public static func configurationAttributes(at path: String, key: String) throws -> [(name: String, value: String)] {
        let group = try HDF5File.open(at: path).root.group("config/\(key)")
        var attributes = try group.attributeNames().map { ($0, text(of: try group.attribute($0))) }
        if !attributes.contains(where: { $0.0 == "data_files" }), let files = try dataFiles(at: path, key: key) {
            attributes.append(("data_files", try encodeDataFiles(files)))
        }
        return attributes.sorted { $0.0 < $1.0 }
    }

    private static func text(of value: HDF5AttributeValue) -> String {
        switch value {
        case .string(let text): return text
        case .double(let number): return "\(number)"
        case .int64(let number): return "\(number)"
        case .doubles(let numbers): return "[" + numbers.map { "\($0)" }.joined(separator: ", ") + "]"
        case .int64s(let numbers): return "[" + numbers.map { "\($0)" }.joined(separator: ", ") + "]"
        }
    }
}
