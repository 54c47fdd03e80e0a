import HDF5Store
import Planning
import Training

/// The `/runs` table: one row per run, the columns analysts filter and sort on.
///
/// "final_*" are the last epoch's metrics of a finished run; "best_*" are the metrics at
/// `best_epoch`, the epoch with the lowest error on `selected_on` (validation, or test
/// when the data has no validation split; the earliest on ties). A diverged, failed or
/// pending run is not a result: its final and best metrics are NaN and best_epoch 0; its
/// last recorded epoch is kept as "last_finite_*". "host", "blas_core", "cpu" and
/// "git_commit" say where each run was computed (empty for a pending run), so a file merged
/// from shards run on several machines still says where each number came from.
enum RunsTable {
    /// An epoch's metrics as column suffixes, in column order.
    static let epochMetrics: [(suffix: String, value: @Sendable (EpochRecord) -> Double)] = [
        ("train_loss", { $0.trainLoss }), ("validation_loss", { $0.validationLoss }), ("test_loss", { $0.testLoss }),
        ("train_error", { $0.trainError }), ("validation_error", { $0.validationError }), ("test_error", { $0.testError }),
    ]

    static func table(_ records: [RunRecord]) -> HDF5Table {
        func metric(_ value: (RunRecord) -> Double?) -> [Double] { records.map { value($0) ?? .nan } }
        func epochColumns(_ prefix: String, _ epoch: @escaping (RunOutcome) -> EpochRecord?) -> [HDF5Table.Column] {
            let outcomes = records.map(\.outcome)
            return epochMetrics.map { name, value in
                .float64(prefix + name, outcomes.map { epoch($0).map(value) ?? .nan })
            }
        }
        let configurations = records.map(\.run.configuration)
        return HDF5Table(columns: [
            .int64("index", records.map { Int64($0.run.index) }),
            .strings("key", records.map(\.run.key)),
            .int64("block", records.map { Int64($0.run.block) }),
            .strings("optimizer", configurations.map(\.optimizer.kind.rawValue)),
            .strings("penalty", configurations.map(\.regularization.penalty.rawValue)),
            .strings("decay_convention", configurations.map(\.regularization.decayConvention.rawValue)),
            .float64("lambda", configurations.map(\.regularization.lambda)),
            .float64("lambda_norm", configurations.map { $0.regularization.normalized ? $0.regularization.lambda : .nan }),
            .float64("applied_lambda", records.map(\.effectiveLambda)),
            .float64("lr", configurations.map(\.optimizer.learningRate)),
            .strings("schedule", records.map { $0.run.label(on: "schedule") ?? $0.run.configuration.schedule.kind.rawValue }),
            .int64("seed", configurations.map { Int64(bitPattern: $0.training.seed) }),
            .strings("status", records.map(\.status.rawValue)),
            .int64("epochs_done", records.map { Int64($0.epochs.count) }),
            .strings("selected_on", records.map { $0.outcome.selectedOn.rawValue }),
        ] + epochColumns("final_", \.final) + epochColumns("best_", \.best) + [
            .int64("best_epoch", records.map { Int64($0.best?.epoch ?? 0) }),
            .float64("final_weight_norm", metric { $0.final?.weightNorm }),
        ] + epochColumns("last_finite_", \.lastFinite) + [
            .float64("last_finite_weight_norm", metric { $0.outcome.lastFinite?.weightNorm }),
            .float64("seconds", records.map(\.seconds)),
            .strings("message", records.map(\.message)),
            .strings("host", records.map(\.computedBy.host)),
            .strings("blas_core", records.map(\.computedBy.blasCore)),
            .strings("cpu", records.map(\.computedBy.cpu)),
            .strings("git_commit", records.map(\.computedBy.gitCommit)),
        ])
    }
}
