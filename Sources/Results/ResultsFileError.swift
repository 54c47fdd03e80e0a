import Foundation

/// A results file that cannot be written or read, with a sentence a user can act on.
public struct ResultsFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ResultsFileError {
    /// A decoding error in a sentence: where in the JSON and what was wrong, without
    /// Foundation's debug dump.
    static func brief(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .dataCorrupted(let found), .keyNotFound(_, let found), .typeMismatch(_, let found), .valueNotFound(_, let found):
            context = found
        @unknown default:
            return "\(error)"
        }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        let underlying = (context.underlyingError as NSError?)?.localizedDescription
        return (path.isEmpty ? "" : "at \(path): ") + context.debugDescription + (underlying.map { " (\($0))" } ?? "")
    }

    /// At most the first 80 characters of a stored text, quoted, for a message: a damaged
    /// attribute may be megabytes long.
    static func excerpt(_ text: String) -> String {
        let head = text.prefix(80)
        return "found '\(head)'" + (head.count < text.count ? "…" : "")
    }
}
