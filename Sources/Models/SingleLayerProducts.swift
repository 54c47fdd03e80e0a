import CCPUFeatures
import LinearKernels
import LinearKernelsAVX2

/// The single-layer kernel in the widest build the processor runs.
///
/// `LinearKernels` and `LinearKernelsAVX2` are one Swift source compiled for baseline x86-64
/// and for AVX2: the same operations on the same lanes in the same order, so the choice
/// changes the speed, never a bit of the results.
struct SingleLayerProducts {
    typealias Block = LinearKernels.SingleLayerKernel.Block
    static let blockRows = LinearKernels.SingleLayerKernel.blockRows
    /// Asked once per process.
    static let processorRunsAVX2Build = ccpufeatures_runs_haswell_builds()

    private let baseline: LinearKernels.SingleLayerKernel
    private let avx2: LinearKernelsAVX2.SingleLayerKernel?

    init(inputs: Int, outputs: Int) {
        baseline = LinearKernels.SingleLayerKernel(inputs: inputs, outputs: outputs)
        avx2 = Self.processorRunsAVX2Build ? LinearKernelsAVX2.SingleLayerKernel(inputs: inputs, outputs: outputs) : nil
    }

    var outputs: Int { baseline.outputs }

    /// `logits[r·outputs + j] = bias[j] + W[j]·x_r` for the block's four rows.
    func logits(_ block: Block, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, into logits: UnsafeMutablePointer<Float>) {
        if let avx2 {
            avx2.logits(Self.wide(block), weights: weights, bias: bias, into: logits)
        } else {
            baseline.logits(block, weights: weights, bias: bias, into: logits)
        }
    }

    /// `weightGradient[j] += Σ_r deltas[r·outputs + j] · x_r` over the block's rows, in order.
    func accumulateWeightGradient(_ block: Block, deltas: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>) {
        if let avx2 {
            avx2.accumulateWeightGradient(Self.wide(block), deltas: deltas, into: weightGradient)
        } else {
            baseline.accumulateWeightGradient(block, deltas: deltas, into: weightGradient)
        }
    }

    /// `output[i] = Float(bytes[i]) / 255` for `i < count`, to the bit.
    static func scalePixels(_ bytes: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<Float>) {
        if processorRunsAVX2Build {
            LinearKernelsAVX2.SingleLayerKernel.scalePixels(bytes, count: count, into: output)
        } else {
            LinearKernels.SingleLayerKernel.scalePixels(bytes, count: count, into: output)
        }
    }

    private static func wide(_ block: Block) -> LinearKernelsAVX2.SingleLayerKernel.Block {
        LinearKernelsAVX2.SingleLayerKernel.Block(block.x0, block.x1, block.x2, block.x3)
    }
}
