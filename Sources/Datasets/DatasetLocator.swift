import Foundation

/// Finds the IDX files of MNIST-like data sets.
///
/// The directory is, in order: the spec's `path`; the environment variable of the source
/// (`DECAYBENCH_FASHION_MNIST_DIR`, `DECAYBENCH_MNIST_DIR`); the default directory, which
/// exists only for Fashion-MNIST (`/usr/share/datasets/fashion-mnist`, Debian's
/// `dataset-fashion-mnist`). In that directory each file may be gzip-compressed (`.gz`,
/// preferred) or raw.
public struct DatasetLocator: Sendable {
    /// The four files of an MNIST-like data set, as found on disk.
    public struct IDXFiles: Sendable, Equatable {
        public let directory: String
        public let trainImages: String
        public let trainLabels: String
        public let testImages: String
        public let testLabels: String
    }

    /// Debian's `dataset-fashion-mnist` installs here.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    /// Overrides the Fashion-MNIST directory when the spec has no `path`.
    public static let fashionMNISTVariable = "DECAYBENCH_FASHION_MNIST_DIR"
    /// Names the MNIST directory when the spec has no `path`; MNIST has no default.
    public static let mnistVariable = "DECAYBENCH_MNIST_DIR"
    /// The file names without `.gz`, in the order train images, train labels, test images, test labels.
    public static let fileNames = [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    ]

    /// The environment consulted for the variables; injectable so tests need not change the process's.
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The directory to read `source` from and a phrase saying where that choice came from.
    /// - Throws: `DataError.invalidSpec` for MNIST when neither `path` nor the variable is set,
    ///   and for a source that is not MNIST-like.
    public func directory(for source: DataSpec.Source, path: String?) throws -> (directory: String, origin: String) {
        let variable = try Self.variable(for: source)
        if let path, !path.isEmpty { return (path, "from the data spec's `path`") }
        if let value = environment[variable], !value.isEmpty { return (value, "from \(variable)") }
        if source == .fashionMNIST { return (Self.fashionMNISTDirectory, "the default directory") }
        throw DataError.invalidSpec(
            field: "path",
            expected: "a directory holding the \(source.rawValue) IDX files (it has no default directory; "
                + "the environment variable \(variable) can name one instead)",
            found: "none")
    }

    /// The four files of `source`, each as `.gz` if present, else raw.
    /// - Throws: `DataError.filesNotFound` listing the directory, every name tried and how to
    ///   choose another directory.
    public func idxFiles(for source: DataSpec.Source, path: String?) throws -> IDXFiles {
        let (directory, origin) = try self.directory(for: source, path: path)
        let base = URL(fileURLWithPath: directory)
        var found: [String] = []
        var missing: [String] = []
        for name in Self.fileNames {
            let candidates = [name + ".gz", name].map { base.appendingPathComponent($0).path }
            if let existing = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                found.append(existing)
            } else {
                missing.append("\(name).gz or \(name)")
            }
        }
        guard missing.isEmpty else {
            let variable = try Self.variable(for: source)
            throw DataError.filesNotFound(
                directory: directory, origin: origin, lookedFor: missing,
                hint: "Set `path` in the data spec or the environment variable \(variable) to a directory holding them"
                    + (source == .fashionMNIST ? " (or install Debian's dataset-fashion-mnist)." : "."))
        }
        return IDXFiles(directory: directory, trainImages: found[0], trainLabels: found[1],
                        testImages: found[2], testLabels: found[3])
    }

    private static func variable(for source: DataSpec.Source) throws -> String {
        switch source {
        case .fashionMNIST: return fashionMNISTVariable
        case .mnist: return mnistVariable
        default:
            throw DataError.invalidSpec(field: "source", expected: "an IDX data set (fashion-mnist or mnist)",
                                        found: source.rawValue)
        }
    }
}
