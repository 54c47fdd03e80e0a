import Foundation
import TensorMath

/// The targets of a batch: class labels or real values, one per row.
public enum BatchTargets {
    case labels(UnsafeBufferPointer<Int32>)
    case values(UnsafeBufferPointer<Float>)
}

/// A stack of dense layers: forward pass, loss, and gradient by backpropagation.
///
/// Stateless apart from its architecture: parameters, gradients and scratch space are
/// passed in, so one network value serves any number of concurrent runs. Every matrix
/// product goes through `cblas_sgemm`; weights are [out, in] as in PyTorch, so a layer
/// computes H = X·Wᵀ + b.
public struct DenseNetwork: Sendable {
    public let architecture: Architecture
    public let layout: ParameterLayout

    public init(architecture: Architecture) {
        self.architecture = architecture
        self.layout = architecture.parameterLayout
    }

    public func makeWorkspace(capacity: Int) -> NetworkWorkspace {
        NetworkWorkspace(architecture: architecture, capacity: capacity)
    }

    /// The batch-mean loss and, into `gradient`, its gradient with respect to every parameter.
    ///
    /// - Parameters:
    ///   - inputs: `rows × inputCount` features, row-major.
    ///   - rows: in 1...workspace.capacity.
    ///   - gradientIsZero: the caller's promise that every value of `gradient` is +0 (as
    ///     `UpdateChain.apply(…, clearingGradient: true)` leaves it). The weight gradients are
    ///     then added onto it (β = 1), which spares OpenBLAS its pass clearing them: with β = 0 it
    ///     writes zeros into C and then adds the product, so the bits are the same either way.
    /// - Returns: the mean data loss over the rows (no penalty).
    public func lossAndGradient(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, targets: BatchTargets,
        rows: Int, gradient: UnsafeMutableBufferPointer<Float>, gradientIsZero: Bool = false, workspace: inout NetworkWorkspace
    ) -> Double {
        precondition(parameters.count == layout.count && gradient.count == layout.count, "parameter vector does not match the layout")
        precondition(rows >= 1 && rows <= workspace.capacity, "batch of \(rows) rows does not fit the workspace")
        precondition(inputs.count >= rows * architecture.inputCount, "too few input values for \(rows) rows")
        let offsets = workspace.offsets
        return workspace.activations.withUnsafeMutableBufferPointer { activations in
            workspace.deltas.withUnsafeMutableBufferPointer { deltas in
                forward(parameters, inputs, rows, activations, offsets)
                let lossSum = outputLoss(activations, offsets, targets: targets, rows: rows, outputDeltas: deltas).lossSum
                backward(parameters, inputs, rows, activations, deltas, offsets, gradient, gradientIsZero: gradientIsZero)
                return lossSum / Double(rows)
            }
        }
    }

    /// Loss and error over `rows` points, in chunks of the workspace's capacity.
    ///
    /// - Parameters:
    ///   - pixelBytes: nil, or bytes with `inputs[i] == Float(pixelBytes[i]) / 255`, which a network
    ///     without a hidden layer reads instead of `inputs` (the same floats, a quarter of the bytes).
    /// - Returns: the summed loss and the number of misclassified rows (for regression, the
    ///   summed squared error again).
    public func evaluate(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, pixelBytes: UnsafeBufferPointer<UInt8>? = nil,
        targets: BatchTargets, rows: Int, workspace: inout NetworkWorkspace
    ) -> (lossSum: Double, errors: Double) {
        // A network without a hidden layer takes the single-layer kernel here too: over
        // Fashion-MNIST's splits it was faster than sgemm (which needs no gather here either).
        if readsBatchRowsInPlace {
            return evaluateSingleLayer(parameters: parameters, inputs: inputs, pixelBytes: pixelBytes, targets: targets,
                                       rows: rows, workspace: &workspace)
        }
        let offsets = workspace.offsets
        let capacity = workspace.capacity
        let width = architecture.inputCount
        var lossSum = 0.0, errors = 0.0
        workspace.activations.withUnsafeMutableBufferPointer { activations in
            var start = 0
            while start < rows {
                let chunk = min(capacity, rows - start)
                let chunkInputs = UnsafeBufferPointer(rebasing: inputs[(start * width)..<((start + chunk) * width)])
                let chunkTargets: BatchTargets
                switch targets {
                case .labels(let labels): chunkTargets = .labels(UnsafeBufferPointer(rebasing: labels[start..<(start + chunk)]))
                case .values(let values): chunkTargets = .values(UnsafeBufferPointer(rebasing: values[start..<(start + chunk)]))
                }
                forward(parameters, chunkInputs, chunk, activations, offsets)
                let result = outputLoss(activations, offsets, targets: chunkTargets, rows: chunk, outputDeltas: nil)
                lossSum += result.lossSum
                errors += result.errors
                start += chunk
            }
        }
        return (lossSum, errors)
    }

    // MARK: - Passes

    private func forward(
        _ parameters: UnsafeBufferPointer<Float>, _ inputs: UnsafeBufferPointer<Float>, _ rows: Int,
        _ activations: UnsafeMutableBufferPointer<Float>, _ offsets: [Int]
    ) {
        let widths = architecture.widths
        let entries = layout.entries
        for layer in 0..<architecture.layerCount {
            let fanIn = widths[layer], fanOut = widths[layer + 1]
            let weight = parameters.baseAddress! + entries[2 * layer].offset
            let bias = parameters.baseAddress! + entries[2 * layer + 1].offset
            let input = layer == 0 ? inputs.baseAddress! : UnsafePointer(activations.baseAddress! + offsets[layer - 1])
            let output = activations.baseAddress! + offsets[layer]
            // Seed the output with the bias so sgemm adds X·Wᵀ onto it (beta = 1). This costs no
            // more than adding the bias with the activation: with beta = 0 OpenBLAS clears C first.
            Kernels.broadcastRow(bias, width: fanOut, rows: rows, into: output)
            BLAS.sgemm(.none, .transposed, m: rows, n: fanOut, k: fanIn,
                       alpha: 1, a: input, lda: fanIn, b: weight, ldb: fanIn,
                       beta: 1, c: output, ldc: fanOut)
            if layer < architecture.layerCount - 1 {
                applyActivation(output, count: rows * fanOut)
            }
        }
    }

    private func backward(
        _ parameters: UnsafeBufferPointer<Float>, _ inputs: UnsafeBufferPointer<Float>, _ rows: Int,
        _ activations: UnsafeMutableBufferPointer<Float>, _ deltas: UnsafeMutableBufferPointer<Float>,
        _ offsets: [Int], _ gradient: UnsafeMutableBufferPointer<Float>, gradientIsZero: Bool
    ) {
        let widths = architecture.widths
        let entries = layout.entries
        for layer in stride(from: architecture.layerCount - 1, through: 0, by: -1) {
            let fanIn = widths[layer], fanOut = widths[layer + 1]
            let delta = UnsafePointer(deltas.baseAddress! + offsets[layer])
            let input = layer == 0 ? inputs.baseAddress! : UnsafePointer(activations.baseAddress! + offsets[layer - 1])
            let weightGradient = gradient.baseAddress! + entries[2 * layer].offset
            let biasGradient = gradient.baseAddress! + entries[2 * layer + 1].offset
            // ∂L/∂W = Δᵀ·X  ([out, rows]·[rows, in])
            BLAS.sgemm(.transposed, .none, m: fanOut, n: fanIn, k: rows,
                       alpha: 1, a: delta, lda: fanOut, b: input, ldb: fanIn,
                       beta: gradientIsZero ? 1 : 0, c: weightGradient, ldc: fanIn)
            // ∂L/∂b = Σ_rows Δ
            Kernels.sumRows(delta, rows: rows, width: fanOut, into: biasGradient)
            guard layer > 0 else { break }
            // The first layer's input gradient is never needed; the others propagate:
            // Δ_{l−1} = (Δ_l·W_l) ⊙ act′(H_{l−1})
            let weight = parameters.baseAddress! + entries[2 * layer].offset
            let previousDelta = deltas.baseAddress! + offsets[layer - 1]
            BLAS.sgemm(.none, .none, m: rows, n: fanIn, k: fanOut,
                       alpha: 1, a: delta, lda: fanOut, b: weight, ldb: fanIn,
                       beta: 0, c: previousDelta, ldc: fanIn)
            let previousActivation = UnsafePointer(activations.baseAddress! + offsets[layer - 1])
            multiplyByActivationDerivative(previousDelta, previousActivation, count: rows * fanIn)
        }
    }

    /// The hidden activation in place; NaN stays NaN, so a broken unit reaches the loss.
    private func applyActivation(_ values: UnsafeMutablePointer<Float>, count: Int) {
        switch architecture.activation {
        case .relu: Kernels.rectify(values, count: count)
        case .tanh: Kernels.tanh(values, count: count)
        }
    }

    /// Multiplies `delta` by the activation's derivative, written in terms of its output.
    private func multiplyByActivationDerivative(_ delta: UnsafeMutablePointer<Float>, _ output: UnsafePointer<Float>, count: Int) {
        switch architecture.activation {
        case .relu: Kernels.maskByRectifier(delta, output: output, count: count)
        case .tanh: Kernels.maskByTanh(delta, output: output, count: count)
        }
    }

    /// The loss of the last layer's outputs and, when `outputDeltas` is given, ∂(mean loss)/∂outputs.
    private func outputLoss(
        _ activations: UnsafeMutableBufferPointer<Float>, _ offsets: [Int], targets: BatchTargets, rows: Int,
        outputDeltas: UnsafeMutableBufferPointer<Float>?
    ) -> (lossSum: Double, errors: Double) {
        let last = offsets[architecture.layerCount - 1]
        var lossSum = 0.0, errors = 0.0
        architecture.accumulateOutputLoss(
            logits: activations.baseAddress! + last, targets: targets, firstTarget: 0, rows: rows,
            deltas: outputDeltas.map { $0.baseAddress! + last }, deltaScale: 1 / Float(rows),
            lossSum: &lossSum, errors: &errors)
        return (lossSum, errors)
    }
}
