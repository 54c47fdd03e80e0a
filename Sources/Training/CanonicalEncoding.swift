import Foundation

/// The one canonical JSON writer: compact, keys sorted, so that equal values give equal text
/// (and equal hashes). Run keys and a grid's canonical form are both written with it.
public enum CanonicalEncoding {
    /// Sorted-key JSON of `value`. Non-finite numbers (which validation rejects, but a key may
    /// be asked for first) are written as strings, so encoding plain value types cannot fail.
    public static func text<Value: Encodable>(of value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Only a throwing `encode(to:)` can fail, and the types written here have none.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}
