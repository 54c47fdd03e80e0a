import Training

/// Runs of a grid that compute exactly what an earlier run computes (see
/// `RunConfiguration.equivalent`), so that `plan` and `run` can say so.
public struct RepeatedRuns: Sendable {
    /// (a run, the earlier run it repeats).
    public let pairs: [(repeat: PlannedRun, original: PlannedRun)]

    public init(_ plan: GridPlan) {
        // Keyed by the configuration itself, not its canonical JSON: equal configurations are
        // equal field by field, and hashing the fields is far cheaper than encoding them.
        var first: [RunConfiguration: PlannedRun] = [:]
        var pairs: [(PlannedRun, PlannedRun)] = []
        for run in plan.runs {
            let key = run.configuration.equivalent
            if let original = first[key] {
                pairs.append((run, original))
            } else {
                first[key] = run
            }
        }
        self.pairs = pairs
    }

    /// A note for the user, or nil when no run repeats another.
    public var note: String? {
        guard let (example, original) = pairs.first else { return nil }
        func labels(_ run: PlannedRun) -> String {
            run.coordinates.filter { $0.axis != "seed" }.map { "\($0.axis)=\($0.label)" }.joined(separator: " ")
        }
        return "note: \(pairs.count) run\(pairs.count == 1 ? "" : "s") compute exactly what an earlier run computes "
            + "(for example run \(example.index), \(labels(example)), repeats run \(original.index), \(labels(original))); "
            + "they are kept, but cost time without adding information"
    }
}
