import ArgumentParser
import Datasets
import Models
import Optimization

// The configuration enums live in modules that must not import ArgumentParser; their
// raw values are already the spellings users type.
extension DataSpec.Source: ExpressibleByArgument {}
extension TaskKind: ExpressibleByArgument {}
extension ModelSpec.Kind: ExpressibleByArgument {}
extension ModelSpec.Activation: ExpressibleByArgument {}
extension ModelSpec.Initialization: ExpressibleByArgument {}
extension OptimizerSpec.Kind: ExpressibleByArgument {}
extension RegularizationSpec.Penalty: ExpressibleByArgument {}
extension RegularizationSpec.DecayConvention: ExpressibleByArgument {}
extension ScheduleSpec.Kind: ExpressibleByArgument {}

/// A batch size: a positive number of points, or "full" for full-batch training.
struct BatchSizeArgument: ExpressibleByArgument {
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
struct WidthsArgument: ExpressibleByArgument {
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
