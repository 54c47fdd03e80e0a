import Foundation

/// A JSON value with a deterministic text: object keys sorted, numbers as grid labels.
///
/// The canonical form of a grid is one of these; comparing two flattened forms names
/// exactly which settings differ.
indirect enum CanonicalJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number, already formatted (`0.001`, `1e-5`, `20`).
    case number(String)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    init(_ value: GridValue) {
        switch value {
        case .integer(let number): self = .number(String(number))
        case .number(let number): self = .number(GridValue.format(number))
        case .boolean(let flag): self = .bool(flag)
        case .text(let text): self = .string(text)
        case .absent: self = .null
        case .integers(let numbers): self = .array(numbers.map { .number(String($0)) })
        case .schedule(let entry):
            var object = entry.parameters.mapValues(CanonicalJSON.init)
            object["kind"] = .string(entry.kind)
            self = .object(object)
        }
    }

    /// Compact JSON with sorted keys.
    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return number
        case .string(let string): return Self.quoted(string)
        case .array(let elements): return "[" + elements.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\(Self.quoted($0)):\(members[$0]!.text)" }.joined(separator: ",") + "}"
        }
    }

    /// How a value reads in a difference: strings bare, lists as `[a, b]`.
    var rendered: String {
        switch self {
        case .string(let string): return string
        case .array(let elements): return "[" + elements.map(\.rendered).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\($0): \(members[$0]!.rendered)" }.joined(separator: ", ") + "}"
        default: return text
        }
    }

    /// Leaves by dotted path (`training.epochs`, `grid.lambda.l2`); lists are leaves.
    func flattened(prefix: String = "") -> [String: CanonicalJSON] {
        guard case .object(let members) = self else { return [prefix: self] }
        var leaves: [String: CanonicalJSON] = [:]
        for (key, value) in members {
            leaves.merge(value.flattened(prefix: prefix.isEmpty ? key : "\(prefix).\(key)")) { first, _ in first }
        }
        return leaves
    }

    private static func quoted(_ string: String) -> String {
        var text = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
