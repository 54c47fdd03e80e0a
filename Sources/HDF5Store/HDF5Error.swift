import Foundation

/// A failed HDF5 operation: what was attempted, on which object of which file, and why.
///
/// `detail` carries the innermost message of HDF5's own error stack when the library
/// reported one (HDF5's automatic printing to stderr is switched off by this module).
public struct HDF5Error: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What was attempted, for example "open dataset" or "read attribute 'seed' of".
    public let operation: String
    /// The file's path on disk.
    public let file: String
    /// The object's path inside the file, for example "/runs"; empty for the file itself.
    public let object: String
    /// Why it failed: this module's own explanation or HDF5's innermost error message.
    public let detail: String?

    public init(operation: String, file: String, object: String, detail: String? = nil) {
        self.operation = operation
        self.file = file
        self.object = object
        self.detail = detail
    }

    public var description: String {
        let base = object.isEmpty ? "HDF5: cannot \(operation) \(file)" : "HDF5: cannot \(operation) '\(object)' in \(file)"
        guard let detail, !detail.isEmpty else { return base }
        return "\(base): \(detail)"
    }

    public var errorDescription: String? { description }
}
