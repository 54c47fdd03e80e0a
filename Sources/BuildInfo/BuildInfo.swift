/// Facts fixed when the binary was built.
public enum BuildInfo {
    /// The git commit of the source tree the binary was built from, with "-dirty" when the
    /// tree had uncommitted changes to tracked files, or "unknown" when it was built outside
    /// a git checkout (or without git). Recorded by the SourceCommit build plugin, so it
    /// survives copying the binary anywhere.
    public static let sourceCommit: String = generatedSourceCommit
}
