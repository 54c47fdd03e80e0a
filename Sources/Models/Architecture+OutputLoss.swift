import Foundation

/// The loss of a network's last-layer outputs, shared by the general path and the
/// single-layer kernel so that both compute the same loss the same way.
extension Architecture {
    /// Adds the loss (and the error count) of `rows` consecutive rows of logits to the running
    /// sums and, when `deltas` is given, writes ∂(mean loss)/∂logits for those rows.
    ///
    /// - Parameters:
    ///   - logits: `rows × outputCount`, row-major, the first row's first.
    ///   - targets: the whole batch's targets; `firstTarget` is the position of the first row in it.
    ///   - deltaScale: 1 / (rows in the whole batch), so the deltas are those of the batch mean.
    ///   - lossSum, errors: running sums, added to row after row (that order fixes the rounding);
    ///     for regression `errors` gets the squared error again.
    func accumulateOutputLoss(
        logits: UnsafePointer<Float>, targets: BatchTargets, firstTarget: Int, rows: Int,
        deltas: UnsafeMutablePointer<Float>?, deltaScale: Float, lossSum: inout Double, errors: inout Double
    ) {
        let outputs = outputCount
        switch (loss, targets) {
        case (.softmaxCrossEntropy, .labels(let labels)):
            for row in 0..<rows {
                let z = logits + row * outputs
                let label = Int(labels[firstTarget + row])
                precondition(label >= 0 && label < outputs, "label \(label) outside 0..<\(outputs)")
                var maximum = z[0], argmax = 0
                for j in 1..<outputs where z[j] > maximum { maximum = z[j]; argmax = j }
                var sumExp: Float = 0
                for j in 0..<outputs { sumExp += expf(z[j] - maximum) }
                let logSumExp = logf(sumExp)
                lossSum += Double(logSumExp - (z[label] - maximum))
                if argmax != label || !maximum.isFinite { errors += 1 }
                if let deltas {
                    let d = deltas + row * outputs
                    for j in 0..<outputs {
                        let probability = expf(z[j] - maximum - logSumExp)
                        d[j] = (probability - (j == label ? 1 : 0)) * deltaScale
                    }
                }
            }
        case (.meanSquaredError, .values(let values)):
            for row in 0..<rows {
                let residual = logits[row] - values[firstTarget + row]
                let squared = Double(residual * residual)
                lossSum += squared
                errors += squared
                if let deltas { deltas[row] = 2 * residual * deltaScale }
            }
        default:
            preconditionFailure("targets do not match the loss \(loss)")
        }
    }
}
