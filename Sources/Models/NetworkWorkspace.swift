import TensorMath

/// Preallocated activations and deltas for up to `capacity` rows of one network.
///
/// Allocated once per run and reused for every batch and evaluation chunk, so training
/// allocates nothing per step. A value type: each run owns its own.
public struct NetworkWorkspace: Sendable {
    /// The most rows one forward/backward pass may take.
    public let capacity: Int
    /// Layer outputs (after the activation; logits for the last layer), layer after layer,
    /// each `storedRows × width`, on a cache line (`offsets`).
    var activations: AlignedFloats
    /// ∂loss/∂(pre-activation) of each layer's output, same layout as `activations`.
    var deltas: AlignedFloats
    /// Offset of layer l's block in `activations` and `deltas`.
    let offsets: [Int]
    /// A row of zeros that pads the last block of the single-layer kernel (empty for other networks).
    let zeroRow: AlignedFloats
    /// One block of the single-layer kernel's rows scaled from pixel bytes (empty for other
    /// networks), on a cache line like the weights the kernel multiplies them with.
    var scaledBlock: AlignedFloats

    init(architecture: Architecture, capacity: Int) {
        precondition(capacity > 0, "a workspace needs room for at least one row")
        // Rounded up to whole blocks of the single-layer kernel, whose last block may overhang the batch.
        let blockRows = SingleLayerProducts.blockRows
        let storedRows = (capacity + blockRows - 1) / blockRows * blockRows
        var offsets: [Int] = []
        var total = 0
        for layer in 0..<architecture.layerCount {
            offsets.append(total)
            // Each layer's block starts on a cache line, as the whole buffer does: OpenBLAS writes
            // its product there with 64-byte stores.
            total += AlignedFloats.wholeLines(storedRows * architecture.widths[layer + 1])
        }
        self.capacity = capacity
        self.offsets = offsets
        self.activations = AlignedFloats(repeating: 0, count: total)
        self.deltas = AlignedFloats(repeating: 0, count: total)
        let singleLayer = architecture.layerCount == 1
        self.zeroRow = AlignedFloats(repeating: 0, count: singleLayer ? architecture.inputCount : 0)
        self.scaledBlock = AlignedFloats(repeating: 0, count: singleLayer ? blockRows * architecture.inputCount : 0)
    }
}
