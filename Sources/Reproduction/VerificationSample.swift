import Results
import TensorMath

/// Which runs a `verify` reruns: a seeded sample of the runs that have a result.
public enum VerificationSample {
    /// Up to `count` of `runs` (pending runs excluded), chosen by `seed`, in file order.
    public static func choose(_ count: Int, of runs: [StoredRun], seed: UInt64) -> [StoredRun] {
        let candidates = runs.filter { $0.record.status != .pending }
        guard count < candidates.count else { return candidates }
        var random = DeterministicRandom(seed: seed, stream: "verify")
        let chosen = Set(random.permutation(of: candidates.count).prefix(count))
        return candidates.indices.filter(chosen.contains).map { candidates[$0] }
    }
}
