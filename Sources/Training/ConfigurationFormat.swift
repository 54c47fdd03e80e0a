/// The version of what a stored configuration means, recorded with every result.
///
/// The canonical JSON stores every field, defaults included, so a later change of a default
/// cannot alter what an old file's run does. What can: a new field, or a new meaning for an
/// old one. Each such change raises `current`, and reading a configuration of an older
/// format must give the new field the value that reproduces the old behaviour (or refuse,
/// saying why). A configuration of a newer format than `current` is refused.
public enum ConfigurationFormat {
    /// 1: the fields of DecayBench 0.1.
    public static let current: Int64 = 1

    /// Throws unless a configuration of `format` can be rerun by this build as it was run.
    public static func check(_ format: Int64) throws {
        guard format <= current else {
            throw ConfigurationError(field: "configuration_format",
                                     "the run was stored in configuration format \(format), newer than this decaybench's \(current); rerun it with the decaybench that wrote it (see git_commit) or a later one")
        }
        guard format >= 1 else {
            throw ConfigurationError(field: "configuration_format", "unknown configuration format \(format)")
        }
    }
}
