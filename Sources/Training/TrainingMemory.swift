import Datasets
import Foundation
import TensorMath

/// The memory runs hold while they train, checked against the process's address-space limit
/// before any of it is allocated: an allocation Swift cannot make ends the process (a model of
/// 10^8 parameters, within the limits, died with "failed to allocate" under `ulimit -v`).
public enum TrainingMemory {
    /// Bytes one run of `configuration` holds on data of `shape`: its parameters, their
    /// gradient and update, the optimizer's state (Adam's and AMSGrad's moments, a momentum
    /// buffer), the copy kept as the result, and the activations and deltas of a batch and of
    /// an evaluation chunk. Counted in Double, which cannot overflow here.
    public static func bytes(of configuration: RunConfiguration, on shape: DataShape) -> Double {
        let widths = configuration.layerWidths(on: shape)
        let parameters = RunConfiguration.parameterCount(widths: widths)
        let states: Double
        switch configuration.optimizer.kind {
        case .sgd: states = 0
        case .sgdMomentum, .sgdNesterov: states = 1
        case .adam: states = 2
        case .amsgrad: states = 3
        }
        let train = Double(max(shape.trainPoints, 1))
        let batch = min(configuration.training.batchSize.map(Double.init) ?? train, train)
        let chunk = min(Double(TrainingSession.evaluationChunkRows), max(train, Double(shape.testPoints)))
        let activations = 2 * (batch + chunk) * widths.reduce(0, +)
        return 4 * (parameters * (4 + states) + activations)
    }

    /// Bytes the runs on data of `shape` share once they train and that loading did not make:
    /// the training split's pixel bytes (`Split.pixelBytes`, a byte per feature), derived when the
    /// first shuffled batch is copied or a model without a hidden layer first steps. Counted
    /// whether or not the features turn out to be bytes, which only training can tell.
    public static func sharedBytes(on shape: DataShape) -> Double {
        Double(shape.trainPoints) * Double(shape.features)
    }

    /// Nil when `runsAtOnce` runs of `bytesPerRun` each, beside `sharedBytes` they share (see
    /// `sharedBytes(on:)`) and the OpenBLAS buffers of `blasThreads` threads called by as many
    /// runs, fit what `limit` (ulimit -v; nil: none) leaves beyond `inUse`; otherwise what is
    /// wrong, for `who` ("the model of run 3").
    public static func addressSpaceProblem(bytesPerRun: Double, runsAtOnce: Int, sharedBytes: Double = 0, blasThreads: Int,
                                           who: String, limit: Int?, inUse: Int?) -> String? {
        guard let limit else { return nil }
        let available = Double(max(0, limit - (inUse ?? 0)))
        let blas = Double(blasThreads + runsAtOnce - 1) * Double(BLAS.addressSpacePerBuffer)
        let needed = bytesPerRun * Double(runsAtOnce) + sharedBytes + blas
        guard needed > available else { return nil }
        let together = runsAtOnce > 1 ? ", \(runsAtOnce) runs at once" : ""
        let shared = sharedBytes > 0 ? ", the data's pixel bytes \(gibibytes(sharedBytes))" : ""
        return "\(who) needs about \(gibibytes(bytesPerRun)) while it trains (parameters, gradients, optimizer state, "
            + "activations)\(together)\(shared), and OpenBLAS's buffers \(gibibytes(blas)): \(gibibytes(needed)) in all, but this "
            + "process's address-space limit (ulimit -v, \(gibibytes(Double(limit)))) leaves \(gibibytes(available)); "
            + (runsAtOnce > 1 ? "use fewer --jobs, " : "") + "use a smaller model, or raise the limit"
    }

    /// "1.4 GiB"; below a tenth of a GiB, "45 MiB" (not "0.0 GiB").
    private static func gibibytes(_ bytes: Double) -> String {
        bytes < 0.1 * Double(1 << 30) ? String(format: "%.0f MiB", bytes / Double(1 << 20))
            : String(format: "%.1f GiB", bytes / Double(1 << 30))
    }
}
