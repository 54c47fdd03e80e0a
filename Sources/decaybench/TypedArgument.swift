import ArgumentParser
import Datasets

/// An option's value as typed: parsed when it parses, kept as text when it does not.
///
/// ArgumentParser stops at the first value it cannot parse; options of this type always
/// parse, so `validate()` can report every bad value (and every out-of-range one) at once.
struct Typed<Value: ExpressibleByArgument & ArgumentExpectation>: ExpressibleByArgument {
    /// The parsed value; nil when `text` is not a valid `Value`.
    let value: Value?
    /// What was typed (or the default's description).
    let text: String
    /// Whether this is the option's default rather than something typed.
    let isDefault: Bool

    init(_ value: Value) {
        self.value = value
        text = value.defaultValueDescription
        isDefault = true
    }

    init?(argument: String) {
        // Numbers are decimal, as in CSV cells: `--lr 0x10` trained at 16.
        value = Value.self == Double.self ? DecimalNumber.parse(argument).flatMap { $0 as? Value } : Value(argument: argument)
        text = argument
        isDefault = false
    }

    var defaultValueDescription: String { value?.defaultValueDescription ?? text }
    static var allValueStrings: [String] { Value.allValueStrings }
    static var defaultCompletionKind: CompletionKind { Value.defaultCompletionKind }
}

/// What a value of an option's type looks like, for "expected …, got …" messages.
protocol ArgumentExpectation {
    static var expectation: String { get }
}

extension ArgumentExpectation where Self: ExpressibleByArgument {
    static var expectation: String { "one of " + allValueStrings.joined(separator: ", ") }
}

extension Double: ArgumentExpectation {
    static var expectation: String { "a number" }
}

extension Int: ArgumentExpectation {
    static var expectation: String { "a whole number" }
}

extension UInt64: ArgumentExpectation {
    static var expectation: String { "a whole number ≥ 0" }
}

/// An option holding a `Typed` value that did not parse.
protocol UnparsedArgument {
    /// (what was typed, what was expected), or nil when the value parsed or was not given.
    var unparsed: (text: String, expected: String)? { get }
}

extension Typed: UnparsedArgument {
    var unparsed: (text: String, expected: String)? {
        value == nil ? (text, Value.expectation) : nil
    }
}

extension Optional: UnparsedArgument where Wrapped: UnparsedArgument {
    var unparsed: (text: String, expected: String)? { self?.unparsed }
}

extension Option: UnparsedArgument where Value: UnparsedArgument {
    var unparsed: (text: String, expected: String)? { wrappedValue.unparsed }
}
