import Results
import TensorMath

/// Which runs a `verify` reruns: a seeded sample of the runs that have a result.
public enum VerificationSample {
    /// The keys of up to `count` of `runs` (each key with its status, in file order; pending
    /// runs excluded), chosen by `seed`, in file order. Only keys and statuses are needed, so
    /// a sample is chosen without reading the runs it leaves out.
    public static func choose(_ count: Int, of runs: [(key: String, status: RunRecord.RecordStatus)], seed: UInt64) -> [String] {
        let candidates = runs.filter { $0.status != .pending }.map(\.key)
        guard count < candidates.count else { return candidates }
        var random = DeterministicRandom(seed: seed, stream: "verify")
        let chosen = Set(random.permutation(of: candidates.count).prefix(count))
        return candidates.indices.filter(chosen.contains).map { candidates[$0] }
    }
}
