import CCPUFeatures
import TensorMath

/// Networks without a hidden layer (linear and softmax regression) through the single-layer kernel:
/// batch rows read where they lie, no gather, no sgemm.
extension DenseNetwork {
    /// Whether the network has no hidden layer, so that `lossAndGradient(parameters:rows:…)`
    /// can read a batch's rows where they lie.
    public var readsBatchRowsInPlace: Bool { architecture.layerCount == 1 }

    /// The batch-mean loss and, into `gradient`, its gradient, for a network with no hidden layer.
    ///
    /// The same loss and gradient as `lossAndGradient(parameters:inputs:…)` up to the order of
    /// the sums (the last bits).
    /// - Parameters:
    ///   - rows: 1...workspace.capacity rows of `inputCount` features; read from their pixel bytes
    ///     when they have them (the same floats).
    ///   - targets: one per batch row, in the batch's order.
    /// - Returns: the mean data loss over the rows (no penalty).
    public func lossAndGradient(
        parameters: UnsafeBufferPointer<Float>, rows: BatchRows, targets: BatchTargets,
        gradient: UnsafeMutableBufferPointer<Float>, workspace: inout NetworkWorkspace
    ) -> Double {
        precondition(readsBatchRowsInPlace, "only a network without a hidden layer reads batch rows in place")
        precondition(parameters.count == layout.count && gradient.count == layout.count, "parameter vector does not match the layout")
        precondition(rows.count >= 1 && rows.count <= workspace.capacity, "batch of \(rows.count) rows does not fit the workspace")
        precondition(rows.width == architecture.inputCount, "rows of \(rows.width) values for \(architecture.inputCount) inputs")
        let kernel = SingleLayerProducts(inputs: architecture.inputCount, outputs: architecture.outputCount)
        let outputs = kernel.outputs, blockRows = SingleLayerProducts.blockRows
        let weights = parameters.baseAddress! + layout.entries[0].offset
        let bias = parameters.baseAddress! + layout.entries[1].offset
        let weightGradient = gradient.baseAddress! + layout.entries[0].offset
        let biasGradient = gradient.baseAddress! + layout.entries[1].offset
        weightGradient.update(repeating: 0, count: layout.entries[0].count)
        let deltaScale = 1 / Float(rows.count)
        var lossSum = 0.0, errors = 0.0
        let zeroRow = workspace.zeroRow
        zeroRow.withUnsafeBufferPointer { zeroRow in
            workspace.scaledBlock.withUnsafeMutableBufferPointer { scaledBlock in
                workspace.activations.withUnsafeMutableBufferPointer { logits in
                    workspace.deltas.withUnsafeMutableBufferPointer { deltas in
                        var start = 0
                        while start < rows.count {
                            let present = min(blockRows, rows.count - start)
                            Self.prefetchPixelRows(rows, from: start + blockRows)
                            let block = Self.block(rows, start: start, present: present, zeroRow: zeroRow.baseAddress!,
                                                   scaledBlock: scaledBlock.baseAddress!)
                            let blockLogits = logits.baseAddress! + start * outputs
                            let blockDeltas = deltas.baseAddress! + start * outputs
                            kernel.logits(block, weights: weights, bias: bias, into: blockLogits)
                            architecture.accumulateOutputLoss(
                                logits: blockLogits, targets: targets, firstTarget: start, rows: present,
                                deltas: blockDeltas, deltaScale: deltaScale, lossSum: &lossSum, errors: &errors)
                            // The padding rows are zeros with zero deltas: they add nothing to ∂W.
                            (blockDeltas + present * outputs).update(repeating: 0, count: (blockRows - present) * outputs)
                            kernel.accumulateWeightGradient(block, deltas: blockDeltas, into: weightGradient)
                            start += blockRows
                        }
                        // ∂L/∂b = Σ_rows Δ, as in the general path.
                        Kernels.sumRows(deltas.baseAddress!, rows: rows.count, width: outputs, into: biasGradient)
                    }
                }
            }
        }
        return lossSum / Double(rows.count)
    }

    /// Loss and error over `rows` consecutive rows of `inputs` for a network with no hidden layer.
    ///
    /// - Returns: the summed loss and the number of misclassified rows (for regression, the
    ///   summed squared error again).
    func evaluateSingleLayer(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, pixelBytes: UnsafeBufferPointer<UInt8>?,
        targets: BatchTargets, rows: Int, workspace: inout NetworkWorkspace
    ) -> (lossSum: Double, errors: Double) {
        let kernel = SingleLayerProducts(inputs: architecture.inputCount, outputs: architecture.outputCount)
        let weights = parameters.baseAddress! + layout.entries[0].offset
        let bias = parameters.baseAddress! + layout.entries[1].offset
        let batch = BatchRows(consecutiveIn: inputs, pixelBytes: pixelBytes, width: architecture.inputCount, first: 0, count: rows)
        var lossSum = 0.0, errors = 0.0
        let zeroRow = workspace.zeroRow
        zeroRow.withUnsafeBufferPointer { zeroRow in
            workspace.scaledBlock.withUnsafeMutableBufferPointer { scaledBlock in
                workspace.activations.withUnsafeMutableBufferPointer { logits in
                    var start = 0
                    while start < rows {
                        let present = min(SingleLayerProducts.blockRows, rows - start)
                        let block = Self.block(batch, start: start, present: present, zeroRow: zeroRow.baseAddress!,
                                               scaledBlock: scaledBlock.baseAddress!)
                        kernel.logits(block, weights: weights, bias: bias, into: logits.baseAddress!)
                        architecture.accumulateOutputLoss(
                            logits: logits.baseAddress!, targets: targets, firstTarget: start, rows: present,
                            deltas: nil, deltaScale: 1, lossSum: &lossSum, errors: &errors)
                        start += SingleLayerProducts.blockRows
                    }
                }
            }
        }
        return (lossSum, errors)
    }

    /// Asks for the pixel bytes of the block of rows from `start` on, while the block before it
    /// is computed.
    ///
    /// A shuffled batch's rows lie anywhere, so the processor cannot guess them; asked one block
    /// ahead, their bytes are in the cache when they are scaled (about 10 % of a Fashion-MNIST
    /// epoch). Rows without bytes are not asked for: prefetching 3 KB Float32 rows was slower.
    private static func prefetchPixelRows(_ rows: BatchRows, from start: Int) {
        guard rows.pixelBytes != nil, start < rows.count else { return }
        let cacheLine = 64
        for r in start..<min(start + SingleLayerProducts.blockRows, rows.count) {
            let row = rows.pixelRow(r)
            var offset = 0
            while offset < rows.width {
                ccpufeatures_prefetch(row + offset)
                offset += cacheLine
            }
        }
    }

    /// Rows `start ..< start + present` of the batch, padded with `zeroRow` to a whole block.
    ///
    /// Rows with pixel bytes are scaled into `scaledBlock` first, to the same floats as the
    /// matrix holds: reading a quarter of the bytes saves more time than the scaling costs.
    private static func block(_ rows: BatchRows, start: Int, present: Int, zeroRow: UnsafePointer<Float>,
                              scaledBlock: UnsafeMutablePointer<Float>) -> SingleLayerProducts.Block {
        var addresses = (rows.row(start),
                         present > 1 ? rows.row(start + 1) : zeroRow,
                         present > 2 ? rows.row(start + 2) : zeroRow,
                         present > 3 ? rows.row(start + 3) : zeroRow)
        if rows.pixelBytes != nil {
            func scaled(_ r: Int) -> UnsafePointer<Float> {
                guard r < present else { return zeroRow }
                let row = scaledBlock + r * rows.width
                SingleLayerProducts.scalePixels(rows.pixelRow(start + r), count: rows.width, into: row)
                return UnsafePointer(row)
            }
            addresses = (scaled(0), scaled(1), scaled(2), scaled(3))
        }
        return SingleLayerProducts.Block(addresses.0, addresses.1, addresses.2, addresses.3)
    }
}
