/// Where and with what a result was computed; stored with every results file.
public struct Provenance: Codable, Sendable, Equatable {
    /// DecayBench's version.
    public static let harnessVersion = "0.1.0"

    public var harnessVersion: String
    /// The source tree's commit, with "-dirty" when it had uncommitted changes; "unknown"
    /// outside a git checkout.
    public var gitCommit: String
    public var swiftVersion: String
    public var hdf5Version: String
    /// OpenBLAS's build description (it starts with the version).
    public var openBLASConfiguration: String
    /// The kernel family OpenBLAS selected, for example "Haswell".
    public var blasCoreName: String
    public var cpu: String
    public var logicalCores: Int
    public var hostName: String
    /// OPENBLAS_* variables in the environment: they select kernels and so change numbers.
    public var openBLASEnvironment: String

    public init(harnessVersion: String, gitCommit: String, swiftVersion: String, hdf5Version: String,
                openBLASConfiguration: String, blasCoreName: String, cpu: String, logicalCores: Int,
                hostName: String, openBLASEnvironment: String) {
        self.harnessVersion = harnessVersion
        self.gitCommit = gitCommit
        self.swiftVersion = swiftVersion
        self.hdf5Version = hdf5Version
        self.openBLASConfiguration = openBLASConfiguration
        self.blasCoreName = blasCoreName
        self.cpu = cpu
        self.logicalCores = logicalCores
        self.hostName = hostName
        self.openBLASEnvironment = openBLASEnvironment
    }
}
