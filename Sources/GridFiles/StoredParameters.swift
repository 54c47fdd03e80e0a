/// Whether the runs of a grid keep their final tensors in the results file (`store: {params: …}`).
enum StoredParameters: String, CaseIterable, Sendable {
    /// Metrics only.
    case none
    /// The parameters at the end of training too.
    case final
}
