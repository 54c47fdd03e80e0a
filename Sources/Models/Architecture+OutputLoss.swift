import CFloatMath

/// The loss of a network's last-layer outputs, shared by the general path and the
/// single-layer kernel so that both compute the same loss the same way.
extension Architecture {
    /// Logits per group of rows in the softmax loss: the scratch (two such arrays) stays in the L1 cache.
    static let softmaxGroupValues = 1024

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
            // Rows a group at a time, so that the group's exponentials and logarithms are each
            // one array call (CFloatMath: the C library's bits, eight values at once).
            let groupRows = max(1, min(rows, Self.softmaxGroupValues / outputs))
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * groupRows * outputs + 2 * groupRows) { scratch in
                let shifted = scratch.baseAddress!, exponentials = shifted + groupRows * outputs
                let sums = exponentials + groupRows * outputs, logSums = sums + groupRows
                var groupStart = 0
                while groupStart < rows {
                    let group = min(groupRows, rows - groupStart)
                    let z = logits + groupStart * outputs
                    // z − max z, row by row, and the errors.
                    for row in 0..<group {
                        let zr = z + row * outputs
                        let label = Int(labels[firstTarget + groupStart + row])
                        precondition(label >= 0 && label < outputs, "label \(label) outside 0..<\(outputs)")
                        var maximum = zr[0], argmax = 0
                        for j in 1..<outputs where zr[j] > maximum { maximum = zr[j]; argmax = j }
                        for j in 0..<outputs { shifted[row * outputs + j] = zr[j] - maximum }
                        if argmax != label || !maximum.isFinite { errors += 1 }
                    }
                    cfloatmath_exp(shifted, exponentials, group * outputs)
                    for row in 0..<group {
                        var sumExp: Float = 0
                        for j in 0..<outputs { sumExp += exponentials[row * outputs + j] }
                        sums[row] = sumExp
                    }
                    cfloatmath_log(sums, logSums, group)
                    for row in 0..<group {
                        let label = Int(labels[firstTarget + groupStart + row])
                        lossSum += Double(logSums[row] - shifted[row * outputs + label])
                    }
                    if let deltas {
                        // p = exp(z − max z − log Σ exp(z − max z)), into the deltas' place first.
                        let d = deltas + groupStart * outputs
                        for row in 0..<group {
                            for j in 0..<outputs {
                                d[row * outputs + j] = shifted[row * outputs + j] - logSums[row]
                            }
                        }
                        cfloatmath_exp(d, d, group * outputs)
                        for row in 0..<group {
                            let label = Int(labels[firstTarget + groupStart + row])
                            for j in 0..<outputs {
                                d[row * outputs + j] = (d[row * outputs + j] - (j == label ? 1 : 0)) * deltaScale
                            }
                        }
                    }
                    groupStart += group
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
