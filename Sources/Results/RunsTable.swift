import HDF5Store
import Planning
import Training

/// The `/runs` table: one row per run, the columns analysts filter and sort on.
///
/// "final_*" are the last epoch's metrics; "best_*" are the metrics at `best_epoch`, the
/// epoch with the lowest test error (the earliest on ties). Runs without a finished epoch
/// have NaN metrics and best_epoch 0. "host", "blas_core", "cpu" and "git_commit" say where
/// each run was computed (empty for a pending run), so a file merged from shards run on
/// several machines still says where each number came from.
enum RunsTable {
    static func table(_ records: [RunRecord]) -> HDF5Table {
        func metric(_ value: (RunRecord) -> Double?) -> [Double] { records.map { value($0) ?? .nan } }
        let configurations = records.map(\.run.configuration)
        return HDF5Table(columns: [
            .int64("index", records.map { Int64($0.run.index) }),
            .strings("key", records.map(\.run.key)),
            .int64("block", records.map { Int64($0.run.block) }),
            .strings("optimizer", configurations.map(\.optimizer.kind.rawValue)),
            .strings("penalty", configurations.map(\.regularization.penalty.rawValue)),
            .strings("decay_convention", configurations.map(\.regularization.decayConvention.rawValue)),
            .float64("lambda", configurations.map(\.regularization.lambda)),
            .float64("lr", configurations.map(\.optimizer.learningRate)),
            .strings("schedule", records.map { $0.run.label(on: "schedule") ?? $0.run.configuration.schedule.kind.rawValue }),
            .int64("seed", configurations.map { Int64(bitPattern: $0.training.seed) }),
            .strings("status", records.map(\.status.rawValue)),
            .int64("epochs_done", records.map { Int64($0.epochs.count) }),
            .float64("final_train_loss", metric { $0.final?.trainLoss }),
            .float64("final_test_loss", metric { $0.final?.testLoss }),
            .float64("final_train_error", metric { $0.final?.trainError }),
            .float64("final_test_error", metric { $0.final?.testError }),
            .float64("best_train_loss", metric { $0.best?.trainLoss }),
            .float64("best_test_loss", metric { $0.best?.testLoss }),
            .float64("best_train_error", metric { $0.best?.trainError }),
            .float64("best_test_error", metric { $0.best?.testError }),
            .int64("best_epoch", records.map { Int64($0.best?.epoch ?? 0) }),
            .float64("final_weight_norm", metric { $0.final?.weightNorm }),
            .float64("effective_lambda", records.map(\.effectiveLambda)),
            .float64("seconds", records.map(\.seconds)),
            .strings("message", records.map(\.message)),
            .strings("host", records.map(\.computedBy.host)),
            .strings("blas_core", records.map(\.computedBy.blasCore)),
            .strings("cpu", records.map(\.computedBy.cpu)),
            .strings("git_commit", records.map(\.computedBy.gitCommit)),
        ])
    }
}
