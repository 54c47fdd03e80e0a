/// One setting a grid file can write: where it lives, what it accepts, and how it is stored.
///
/// Every field of the run configuration has one, which is what lets any of them be set in a
/// section or varied as a grid axis with the same checks.
struct GridField {
    /// What a field accepts.
    enum Kind {
        /// One of these words.
        case choice([String])
        /// A whole number in the bound.
        case integer(GridBound)
        /// A finite number in the bound (integers are accepted).
        case number(GridBound)
        case boolean
        /// A non-empty string.
        case text
        /// A list of whole numbers, each in the bound.
        case integers(GridBound)
        /// A schedule axis entry: a kind, or `{kind: {parameters}}`.
        case schedule
    }

    /// The section the field is written in (`dataset`, `model`, `optimizer`, …).
    let section: String
    /// Its key in the section, snake_case; empty for the whole-schedule pseudo-field.
    let key: String
    let kind: Kind
    /// For optional fields: the word that leaves them empty (`null` works too).
    let absentWord: String?
    /// Names this field goes by as a grid axis, the canonical one first (empty: not an axis).
    let axisNames: [String]
    /// What the field is, for messages about a missing required field; nil when optional.
    let requiredBecause: String?
    let read: (RunDraft) -> GridValue
    let write: (inout RunDraft, GridValue) -> Void

    /// `section.key`, or the section alone for the whole-schedule pseudo-field.
    var id: String { key.isEmpty ? section : "\(section).\(key)" }

    /// What a value of the field is called in messages: `optimizer`, `activation`, `schedule kind`.
    var noun: String { axisNames.first ?? (key.isEmpty ? section : "\(section) \(key)") }

    /// The canonical axis name, or the id when the field cannot be an axis.
    var axisName: String { axisNames.first ?? id }

    /// Whether labels of this field sort as numbers in an axis description.
    var isNumeric: Bool {
        switch kind {
        case .integer, .number: return true
        default: return false
        }
    }

    /// "an integer ≥ 1", "one of: relu, tanh", … : what the field expects, for messages.
    var expectation: String {
        var text: String
        switch kind {
        case .choice(let words): text = "one of: " + words.joined(separator: ", ")
        case .integer(let bound): text = "an integer" + (bound.phrase.isEmpty ? "" : " \(bound.phrase)")
        case .number(let bound): text = "a number" + (bound.phrase.isEmpty ? "" : " \(bound.phrase)")
        case .boolean: text = "true or false"
        case .text: text = "a non-empty string"
        case .integers(let bound): text = "a list of integers" + (bound.phrase.isEmpty ? "" : " \(bound.phrase)")
        case .schedule: text = "a schedule kind or {kind: {parameters}}"
        }
        if let absentWord {
            text += absentWord == "null" ? ", or null" : ", or '\(absentWord)'"
        }
        return text
    }
}

extension GridField {
    /// The label of `value` for this field: what coordinates and dependent-axis keys show.
    func label(_ value: GridValue) -> String {
        value.label(absentWord: absentWord ?? "none")
    }
}
