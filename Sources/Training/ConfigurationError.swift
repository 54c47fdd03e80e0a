/// A run configuration that cannot be trained, with the field at fault.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The offending field, for example "model.kind".
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
