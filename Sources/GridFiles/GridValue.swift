import Planning

/// A value read from a grid file for one field, before it is written into a configuration.
enum GridValue: Hashable, Sendable {
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case text(String)
    /// An optional field left empty (`null`, or a word such as `full` or `all`).
    case absent
    case integers([Int])
    case schedule(ScheduleEntry)

    /// The value as a Double (integers widen).
    var doubleValue: Double? {
        switch self {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    /// The value as an Int, when it is one.
    var integerValue: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The value as text, when it is text.
    var textValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The label used in coordinates, axis descriptions and dependent-axis keys.
    ///
    /// - Parameter absentWord: how an empty optional reads (`full`, `all`, `default`, …).
    func label(absentWord: String = "none") -> String {
        switch self {
        case .integer(let value): return String(value)
        case .number(let value): return NumberLabel.format(value)
        case .boolean(let value): return value ? "true" : "false"
        case .text(let value): return value
        case .absent: return absentWord
        case .integers(let values): return "[" + values.map(String.init).joined(separator: ",") + "]"
        case .schedule(let entry): return entry.label
        }
    }

}

/// One entry of the schedule axis: a kind and the parameters it writes itself.
struct ScheduleEntry: Hashable, Sendable {
    var kind: String
    /// Parameters by their grid-file key (`t0`, `t_mult`, …), as written in the entry.
    var parameters: [String: GridValue]

    /// `cosine`, or `warm-restarts(t0=5,t_mult=2)` with parameters in the fixed field order.
    var label: String {
        let written = GridFields.scheduleParameterKeys.compactMap { key in
            parameters[key].map { "\(key)=\($0.label())" }
        }
        return written.isEmpty ? kind : "\(kind)(\(written.joined(separator: ",")))"
    }
}
