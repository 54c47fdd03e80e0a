import TensorMath

/// The forward and backward products of a dense layer with no hidden layer before it
/// (linear and softmax regression), four batch rows at a time, each row read where it lies.
///
/// For a 784-10 layer the products are tiny and memory-bound: through sgemm, a shuffled batch
/// is first gathered into a contiguous matrix and then packed by OpenBLAS, twice. Here each
/// block of four rows is read from the data set once for the logits and then, still in the
/// L1 cache, once more for ∂W += δ·xᵀ.
///
/// The order of every sum is fixed by the code alone: lane l of a vector accumulates the
/// features k ≡ l (mod 8), the lanes are added as a tree, the remaining features one by one,
/// and the gradient takes the batch's rows in order. It does not depend on the machine's
/// vector width or on how runs are scheduled.
///
/// This file is compiled twice: in `LinearKernels` for baseline x86-64 (SSE2, four lanes) and,
/// through a symbolic link, in `LinearKernelsAVX2` for processors with AVX2 (eight lanes, twice
/// the arithmetic per instruction). Swift never fuses a multiply with an add on its own, so both
/// builds perform the same IEEE operations on the same lanes and give the same bits.
public struct SingleLayerKernel {
    /// Rows per block.
    public static let blockRows = 4

    /// Eight lanes: four accumulators of eight floats fit baseline x86-64's sixteen 128-bit
    /// registers with room for the operands (sixteen-lane accumulators would spill).
    typealias Lanes = SIMD8<Float>

    /// The four rows of a block; a block past the batch's end repeats a row of zeros.
    public struct Block {
        public var x0, x1, x2, x3: UnsafePointer<Float>

        public init(_ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>, _ x3: UnsafePointer<Float>) {
            (self.x0, self.x1, self.x2, self.x3) = (x0, x1, x2, x3)
        }
    }

    /// Features per row.
    public let inputs: Int
    /// Logits per row.
    public let outputs: Int

    public init(inputs: Int, outputs: Int) {
        precondition(inputs > 0 && outputs > 0, "a layer of \(inputs) inputs and \(outputs) outputs")
        self.inputs = inputs
        self.outputs = outputs
    }

    /// `logits[r·outputs + j] = bias[j] + W[j]·x_r` for the block's four rows.
    ///
    /// - Parameters:
    ///   - weights: `outputs × inputs`, row-major (PyTorch's [out, in]).
    public func logits(_ block: Block, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                       into logits: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < outputs {
            // Two outputs per pass: each row's vector is loaded once for both, and eight
            // independent sums keep the adders busy. An odd last output is paired with itself.
            let next = min(j + 1, outputs - 1)
            let (first, second) = dotProducts(block, weights + j * inputs, weights + next * inputs)
            for row in 0..<Self.blockRows {
                logits[row * outputs + j] = bias[j] + first[row]
                logits[row * outputs + next] = bias[next] + second[row]
            }
            j += 2
        }
    }

    /// W[j]·x_r and W[j′]·x_r for the block's four rows r, without the bias.
    @inline(__always)
    private func dotProducts(_ block: Block, _ w: UnsafePointer<Float>, _ v: UnsafePointer<Float>)
        -> (SIMD4<Float>, SIMD4<Float>)
    {
        let vectorEnd = inputs - inputs % Lanes.scalarCount
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
        var b0 = Lanes(), b1 = Lanes(), b2 = Lanes(), b3 = Lanes()
        var k = 0
        while k < vectorEnd {
            let wk = Lanes(unalignedAt: w + k), vk = Lanes(unalignedAt: v + k)
            let x0 = Lanes(unalignedAt: block.x0 + k), x1 = Lanes(unalignedAt: block.x1 + k)
            let x2 = Lanes(unalignedAt: block.x2 + k), x3 = Lanes(unalignedAt: block.x3 + k)
            a0 += x0 * wk; b0 += x0 * vk
            a1 += x1 * wk; b1 += x1 * vk
            a2 += x2 * wk; b2 += x2 * vk
            a3 += x3 * wk; b3 += x3 * vk
            k &+= Lanes.scalarCount
        }
        var a = SIMD4(Self.sum(a0), Self.sum(a1), Self.sum(a2), Self.sum(a3))
        var b = SIMD4(Self.sum(b0), Self.sum(b1), Self.sum(b2), Self.sum(b3))
        while k < inputs {
            let x = SIMD4(block.x0[k], block.x1[k], block.x2[k], block.x3[k])
            a += x * w[k]
            b += x * v[k]
            k &+= 1
        }
        return (a, b)
    }

    /// `weightGradient[j] += Σ_r deltas[r·outputs + j] · x_r` over the block's rows, in order.
    ///
    /// A row of zeros with zero deltas (the padding of a last, partial block) adds exact zeros.
    public func accumulateWeightGradient(_ block: Block, deltas: UnsafePointer<Float>,
                                  into weightGradient: UnsafeMutablePointer<Float>) {
        let vectorEnd = inputs - inputs % Lanes.scalarCount
        for j in 0..<outputs {
            let g = weightGradient + j * inputs
            let d0 = deltas[j], d1 = deltas[outputs + j], d2 = deltas[2 * outputs + j], d3 = deltas[3 * outputs + j]
            let v0 = Lanes(repeating: d0), v1 = Lanes(repeating: d1), v2 = Lanes(repeating: d2), v3 = Lanes(repeating: d3)
            var k = 0
            while k < vectorEnd {
                var sum = Lanes(unalignedAt: g + k)
                sum += v0 * Lanes(unalignedAt: block.x0 + k)
                sum += v1 * Lanes(unalignedAt: block.x1 + k)
                sum += v2 * Lanes(unalignedAt: block.x2 + k)
                sum += v3 * Lanes(unalignedAt: block.x3 + k)
                sum.store(unalignedAt: g + k)
                k &+= Lanes.scalarCount
            }
            while k < inputs {
                var sum = g[k]
                sum += d0 * block.x0[k]
                sum += d1 * block.x1[k]
                sum += d2 * block.x2[k]
                sum += d3 * block.x3[k]
                g[k] = sum
                k += 1
            }
        }
    }

    /// `output[i] = Float(bytes[i]) / 255` for `i < count`, to the bit, in this build's instructions.
    public static func scalePixels(_ bytes: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<Float>) {
        PixelScaling.scale(bytes, count: count, into: output)
    }

    /// The lanes added as a tree: an order that never depends on the compiler's choice.
    @inline(__always)
    private static func sum(_ lanes: Lanes) -> Float {
        let four = lanes.lowHalf + lanes.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }
}
