import Datasets
import Foundation
import Results

/// The recorded facts that can change a run's numbers, side by side with this process's.
public struct EnvironmentDrift: Sendable {
    public struct Fact: Sendable, Equatable {
        public var name: String
        public var recorded: String
        public var current: String
        public var differs: Bool { recorded != current }
    }

    public var facts: [Fact]

    public var differing: [Fact] { facts.filter(\.differs) }

    /// The OpenBLAS core whose kernels computed the run, when this process runs another core's;
    /// nil when they agree or the recorded name is not one.
    ///
    /// OpenBLAS picks its kernels by processor at start-up, and kernels for different cores
    /// round their sums differently, so a run computed on another machine kind differs in the
    /// last bits. `OPENBLAS_CORETYPE=<core>` in the environment makes it use that core's
    /// kernels where the processor has their instructions: runs computed with OpenBLAS's own
    /// pick on a Zen 4 (Cooperlake) reproduce bit for bit there that way, now that decaybench
    /// asks for Haswell's (the README, `rerun`).
    public var recordedBLASCoreToRequest: String? {
        guard recordedBLASCore != currentBLASCore else { return nil }
        // OpenBLAS names its cores in one word of letters and digits ("Zen", "SkylakeX").
        guard !recordedBLASCore.isEmpty, recordedBLASCore != "unknown",
              recordedBLASCore.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return recordedBLASCore
    }

    private let recordedBLASCore: String
    private let currentBLASCore: String

    /// Compares `stored`'s provenance and data files with `current` and the files its data
    /// specification names now.
    public init(stored: StoredRun, current: Provenance) {
        var recorded = stored.provenance
        // A run keeps where it was computed (a merged file's runs come from several hosts);
        // that beats the provenance of the process that wrote the file.
        let computedBy = stored.record.computedBy
        if !computedBy.gitCommit.isEmpty { recorded.gitCommit = computedBy.gitCommit }
        if !computedBy.blasCore.isEmpty { recorded.blasCoreName = computedBy.blasCore }
        if !computedBy.cpu.isEmpty { recorded.cpu = computedBy.cpu }
        recordedBLASCore = recorded.blasCoreName
        currentBLASCore = current.blasCoreName
        facts = [
            Fact(name: "decaybench version", recorded: recorded.harnessVersion, current: current.harnessVersion),
            Fact(name: "git commit", recorded: Self.commit(recorded.gitCommit), current: Self.commit(current.gitCommit)),
            Fact(name: "Swift", recorded: recorded.swiftVersion, current: current.swiftVersion),
            Fact(name: "HDF5", recorded: recorded.hdf5Version, current: current.hdf5Version),
            Fact(name: "OpenBLAS", recorded: recorded.openBLASConfiguration, current: current.openBLASConfiguration),
            Fact(name: "BLAS core", recorded: recorded.blasCoreName, current: current.blasCoreName),
            Fact(name: "OPENBLAS_* environment", recorded: recorded.openBLASEnvironment, current: current.openBLASEnvironment),
            Fact(name: "CPU", recorded: recorded.cpu, current: current.cpu),
        ]
        let now = (try? DataFileFingerprint.files(of: stored.record.run.configuration.data)) ?? []
        if let files = stored.dataFiles {
            for file in files {
                let match = now.first { $0.role == file.role }
                facts.append(Fact(name: "data file \(file.role)", recorded: "\(file.path) sha256 \(file.sha256.prefix(16))…",
                                  current: match.map { "\($0.path) sha256 \($0.sha256.prefix(16))…" } ?? "not found"))
            }
        } else if !now.isEmpty {
            facts.append(Fact(name: "data files", recorded: "not recorded (an older file)", current: "\(now.count) files"))
        }
    }

    /// "unknown" said plainly: a binary built outside a git checkout has no commit.
    static func commit(_ text: String) -> String {
        text == "unknown" ? "unknown (built without git information)" : text
    }
}
