import Training

/// A grid's canonical form as a JSON value: every setting with defaults filled in, written by
/// `CanonicalEncoding` (keys sorted) so that two files describe the same runs exactly when
/// their canonical texts are equal.
indirect enum CanonicalJSON: Hashable, Sendable, Encodable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    init(_ value: GridValue) {
        switch value {
        case .integer(let number): self = .integer(number)
        case .number(let number): self = .number(number)
        case .boolean(let flag): self = .bool(flag)
        case .text(let text): self = .string(text)
        case .absent: self = .null
        case .integers(let numbers): self = .array(numbers.map(CanonicalJSON.integer))
        case .schedule(let entry):
            var object = entry.parameters.mapValues(CanonicalJSON.init)
            object["kind"] = .string(entry.kind)
            self = .object(object)
        }
    }

    /// Compact JSON with sorted keys.
    var text: String { CanonicalEncoding.text(of: self) }

    func encode(to encoder: Encoder) throws {
        switch self {
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .object(let members):
            var container = encoder.container(keyedBy: MemberKey.self)
            for (key, value) in members { try container.encode(value, forKey: MemberKey(key)) }
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .bool(let flag): try container.encode(flag)
            case .integer(let number): try container.encode(number)
            case .number(let number): try container.encode(number)
            case .string(let string): try container.encode(string)
            case .array, .object: break  // handled above
            }
        }
    }

    private struct MemberKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
