import ArgumentParser
import Datasets
import Models
import Optimization
import Training

// The configuration enums live in modules that must not import ArgumentParser; their
// raw values are already the spellings users type.
extension DataSpec.Source: ExpressibleByArgument, ArgumentExpectation {}
extension TaskKind: ExpressibleByArgument, ArgumentExpectation {}
extension ModelSpec.Kind: ExpressibleByArgument, ArgumentExpectation {}
extension ModelSpec.Activation: ExpressibleByArgument, ArgumentExpectation {}
extension ModelSpec.Initialization: ExpressibleByArgument, ArgumentExpectation {}
extension RegularizationSpec.Penalty: ExpressibleByArgument, ArgumentExpectation {}
extension RegularizationSpec.DecayConvention: ExpressibleByArgument, ArgumentExpectation {}
extension ScheduleSpec.Kind: ExpressibleByArgument, ArgumentExpectation {}

/// An optimizer as typed: a kind (`adam`), or a shorthand that also implies a penalty
/// (`adamw` is adam with penalty decoupled).
struct OptimizerChoice: ExpressibleByArgument, ArgumentExpectation {
    var kind: OptimizerSpec.Kind
    var shorthand: OptimizerShorthand?

    init(_ kind: OptimizerSpec.Kind) {
        self.kind = kind
    }

    init?(argument: String) {
        if let shorthand = OptimizerShorthand(rawValue: argument) {
            kind = shorthand.optimizer
            self.shorthand = shorthand
        } else if let kind = OptimizerSpec.Kind(rawValue: argument) {
            self.kind = kind
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { OptimizerShorthand.optimizerWords }
    var defaultValueDescription: String { shorthand?.rawValue ?? kind.rawValue }
}

/// A batch size: a positive number of points, or "full" for full-batch training.
struct BatchSizeArgument: ExpressibleByArgument, ArgumentExpectation {
    static let expectation = "a whole number ≥ 1 or \"full\""

    var size: Int?

    init?(argument: String) {
        if argument == "full" {
            size = nil
        } else if let value = Int(argument), value >= 1 {
            size = value
        } else {
            return nil
        }
    }

    var defaultValueDescription: String { size.map(String.init) ?? "full" }
}

/// Comma-separated hidden widths, for example "256,256"; empty for none.
struct WidthsArgument: ExpressibleByArgument, ArgumentExpectation {
    static let expectation = "whole numbers ≥ 1 separated by commas (256,256), or none"

    var widths: [Int]

    init?(argument: String) {
        if argument.isEmpty || argument == "none" {
            widths = []
            return
        }
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        widths = parts.map { $0! }
    }

    var defaultValueDescription: String { widths.isEmpty ? "none" : widths.map(String.init).joined(separator: ",") }
}
