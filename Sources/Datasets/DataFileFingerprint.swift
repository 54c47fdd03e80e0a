import Foundation

/// A file a data set was read from: where it was found, its size and its SHA-256, so that a
/// rerun can tell whether it reads the same bytes.
public struct DataFileFingerprint: Codable, Hashable, Sendable {
    /// What the file holds: "train-images", "train-labels", "test-images", "test-labels", "csv", "hdf5".
    public var role: String
    /// The absolute path with symbolic links resolved.
    public var path: String
    public var bytes: Int64
    public var sha256: String

    public init(role: String, path: String, bytes: Int64, sha256: String) {
        self.role = role
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
    }

    /// The files `spec` reads, fingerprinted now; empty for synthetic data (the
    /// configuration alone determines it).
    public static func files(of spec: DataSpec, locator: DatasetLocator = DatasetLocator()) throws -> [DataFileFingerprint] {
        let named: [(String, String)]
        switch spec.source {
        case .syntheticRegression, .syntheticClassification:
            return []
        case .csv, .hdf5:
            named = [(spec.source.rawValue, spec.path ?? "")]
        case .fashionMNIST, .mnist:
            let files = try locator.idxFiles(for: spec.source, path: spec.path)
            named = [("train-images", files.trainImages), ("train-labels", files.trainLabels),
                     ("test-images", files.testImages), ("test-labels", files.testLabels)]
        }
        return try named.map { role, path in
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let attributes = try FileManager.default.attributesOfItem(atPath: resolved)
            return DataFileFingerprint(role: role, path: resolved, bytes: (attributes[.size] as? NSNumber)?.int64Value ?? -1,
                                       sha256: try SHA256.hex(ofFileAt: resolved))
        }
    }
}
