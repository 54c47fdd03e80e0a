/// Where one run was computed: what a merged file needs to say where each number came from.
///
/// The file-level `Provenance` describes the process that wrote a file; a file merged from
/// shards computed on several hosts keeps this per run, as columns of `/runs`.
public struct RunProvenance: Sendable, Equatable, Hashable {
    public var host: String
    /// The kernel family OpenBLAS selected, for example "Haswell".
    public var blasCore: String
    public var cpu: String
    public var gitCommit: String

    public init(host: String, blasCore: String, cpu: String, gitCommit: String) {
        self.host = host
        self.blasCore = blasCore
        self.cpu = cpu
        self.gitCommit = gitCommit
    }

    /// The part of a process's provenance that a run keeps.
    public init(_ provenance: Provenance) {
        self.init(host: provenance.hostName, blasCore: provenance.blasCoreName, cpu: provenance.cpu,
                  gitCommit: provenance.gitCommit)
    }

    /// Unknown: a pending run, or a file written before runs kept their provenance.
    public static let unknown = RunProvenance(host: "", blasCore: "", cpu: "", gitCommit: "")
}
