/// The version of what a stored configuration means, recorded with every result.
///
/// The canonical JSON stores every field, defaults included, so a later change of a default
/// cannot alter what an old file's run does. What can: a new field, or a new meaning for an
/// old one. Each such change raises `current`, and reading a configuration of an older
/// format must give the new field the value that reproduces the old behaviour (or refuse,
/// saying why). A configuration of a newer format than `current` is refused.
public enum ConfigurationFormat {
    /// 1: the fields of DecayBench 0.1.
    /// 2: `data.validationFraction` and `data.validationSize` (absent in format 1: no
    ///    validation split, as before), `model.initialization` `torch`, and a new meaning for
    ///    `regularization.normalized` under the torch convention: λ_norm is the paper's, so
    ///    the applied λ is divided by α (format 1 applied λ_norm·√(b/(B·T)) as λ_torch).
    public static let current: Int64 = 2

    /// Throws unless a configuration of `format` can be rerun by this build as it was run.
    /// - Parameter configuration: the stored configuration, when known: some settings mean
    ///   something else since their format (see `meaningChange`).
    public static func check(_ format: Int64, configuration: RunConfiguration? = nil) throws {
        guard format <= current else {
            throw ConfigurationError(field: "configuration_format",
                                     "the run was stored in configuration format \(format), newer than this decaybench's \(current); rerun it with the decaybench that wrote it (see git_commit) or a later one")
        }
        guard format >= 1 else {
            throw ConfigurationError(field: "configuration_format", "unknown configuration format \(format)")
        }
        if let configuration, let change = meaningChange(from: format, of: configuration) {
            throw ConfigurationError(field: "configuration_format", change + "; rerun it with the decaybench that wrote it (see git_commit)")
        }
    }

    /// Why `configuration`, stored in `format`, computes something else in this build; nil
    /// when it computes the same.
    public static func meaningChange(from format: Int64, of configuration: RunConfiguration) -> String? {
        let regularization = configuration.regularization
        if format < 2, regularization.penalty == .decoupled, regularization.normalized, regularization.decayConvention == .torch {
            return "configuration format \(format) applied normalized decay under the torch convention as λ_torch = "
                + "λ_norm·√(b/(B·T)); this build reads λ_norm in the paper's units and divides by α"
        }
        return nil
    }
}
