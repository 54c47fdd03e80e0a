import CCPUFeatures
import LinearKernels
import LinearKernelsAVX2
import Models
import TensorMath
import XCTest

/// Rows read from pixel bytes give the single-layer kernel the same floats, hence the same loss,
/// gradient and evaluation to the bit, as rows read as Float32 `byte / 255`.
final class PixelBytesKernelTests: XCTestCase {
    /// Every byte value, in the vector loop and in the scalar tail of both builds.
    func testScalingEveryByteGivesItsValueOver255ToTheBit() {
        let bytes = (0..<256).map(UInt8.init) + (0..<256).map { UInt8(255 - $0) } + [255, 1, 0, 128, 2]  // 517 = 64·8 + 5
        let expected = bytes.map { (Float($0) / 255).bitPattern }
        var scaled = [Float](repeating: .nan, count: bytes.count)
        LinearKernels.SingleLayerKernel.scalePixels(bytes, count: bytes.count, into: &scaled)
        XCTAssertEqual(scaled.map(\.bitPattern), expected, "baseline build")
        if ccpufeatures_runs_haswell_builds() {
            scaled = [Float](repeating: .nan, count: bytes.count)
            LinearKernelsAVX2.SingleLayerKernel.scalePixels(bytes, count: bytes.count, into: &scaled)
            XCTAssertEqual(scaled.map(\.bitPattern), expected, "AVX2 build")
        }
        // The scalar tail alone, for every byte.
        for byte in 0...255 {
            var one: Float = .nan
            PixelScaling.scale([UInt8(byte)], count: 1, into: &one)
            XCTAssertEqual(one.bitPattern, (Float(byte) / 255).bitPattern, "byte \(byte), scalar")
        }
    }

    /// Random images (a third of the pixels 0, as in Fashion-MNIST) and labels.
    struct Images {
        let network: DenseNetwork
        let bytes: [UInt8]
        let features: [Float]
        let labels: [Int32]
        let parameters: [Float]

        init(inputs: Int, classes: Int, rows: Int, seed: UInt64) {
            var random = DeterministicRandom(seed: seed, stream: "pixel-bytes")
            network = DenseNetwork(architecture: Architecture(inputs: inputs, hidden: [], outputs: classes, activation: .relu,
                                                              loss: .softmaxCrossEntropy))
            bytes = (0..<(rows * inputs)).map { _ in random.nextIndex(below: 3) == 0 ? 0 : UInt8(random.nextIndex(below: 256)) }
            features = bytes.map { Float($0) / 255 }
            labels = (0..<rows).map { _ in Int32(random.nextIndex(below: classes)) }
            parameters = ParameterInitializer.parameters(for: network.architecture, scheme: .glorot, random: &random)
                .map { $0 + 0.1 * Float(random.nextNormal()) }
        }

        /// - Parameters:
        ///   - bytes: other bytes than the images' (to show that they are what is read), or nil.
        func lossAndGradient(batch: [Int], readingBytes: Bool, bytes otherBytes: [UInt8]? = nil) -> (loss: Double, gradient: [Float]) {
            var workspace = network.makeWorkspace(capacity: batch.count)
            var gradient = [Float](repeating: .nan, count: parameters.count)
            let batchLabels = batch.map { labels[$0] }
            let loss = parameters.withUnsafeBufferPointer { p in
                features.withUnsafeBufferPointer { m in
                    (otherBytes ?? bytes).withUnsafeBufferPointer { b in
                        batch.withUnsafeBufferPointer { indices in
                            gradient.withUnsafeMutableBufferPointer { g in
                                batchLabels.withUnsafeBufferPointer { targets in
                                    let rows = BatchRows(selectedFrom: m, pixelBytes: readingBytes ? b : nil,
                                                         width: network.architecture.inputCount, indices: indices)
                                    return network.lossAndGradient(parameters: p, rows: rows, targets: .labels(targets),
                                                                   gradient: g, workspace: &workspace)
                                }
                            }
                        }
                    }
                }
            }
            return (loss, gradient)
        }

        func evaluation(readingBytes: Bool) -> (lossSum: Double, errors: Double) {
            var workspace = network.makeWorkspace(capacity: 16)
            return parameters.withUnsafeBufferPointer { p in
                features.withUnsafeBufferPointer { x in
                    bytes.withUnsafeBufferPointer { b in
                        labels.withUnsafeBufferPointer { targets in
                            network.evaluate(parameters: p, inputs: x, pixelBytes: readingBytes ? b : nil, targets: .labels(targets),
                                             rows: labels.count, workspace: &workspace)
                        }
                    }
                }
            }
        }
    }

    func testBytesAndFloatsGiveTheSameLossGradientAndEvaluationToTheBit() {
        // 784 is Fashion-MNIST's width; 45 leaves a remainder after the 8-lane vectors.
        for (inputs, classes) in [(784, 10), (45, 3)] {
            let images = Images(inputs: inputs, classes: classes, rows: 150, seed: UInt64(inputs))
            var random = DeterministicRandom(seed: 1, stream: "pixel-bytes-batches")
            // 1–5 rows: every partial block; 128: the benchmark's batch.
            for size in [1, 2, 3, 5, 13, 128] {
                let batch = Array(random.permutation(of: 150).prefix(size))
                let floats = images.lossAndGradient(batch: batch, readingBytes: false)
                let bytes = images.lossAndGradient(batch: batch, readingBytes: true)
                XCTAssertEqual(bytes.loss.bitPattern, floats.loss.bitPattern, "\(inputs)-\(classes), \(size) rows: loss")
                XCTAssertEqual(bytes.gradient.map(\.bitPattern), floats.gradient.map(\.bitPattern), "\(inputs)-\(classes), \(size) rows: gradient")
            }
            // Bytes that disagree with the floats change the loss: the bytes are what the kernel reads.
            let batch = Array(0..<13), reversed = images.bytes.map { 255 - $0 }
            XCTAssertNotEqual(images.lossAndGradient(batch: batch, readingBytes: true, bytes: reversed).loss,
                              images.lossAndGradient(batch: batch, readingBytes: true).loss, "\(inputs)-\(classes): the bytes should be read")
            let floats = images.evaluation(readingBytes: false), bytes = images.evaluation(readingBytes: true)
            XCTAssertEqual(bytes.lossSum.bitPattern, floats.lossSum.bitPattern, "\(inputs)-\(classes): evaluation loss")
            XCTAssertEqual(bytes.errors, floats.errors, "\(inputs)-\(classes): evaluation errors")
            XCTAssertGreaterThan(floats.errors, 0, "\(inputs)-\(classes): random parameters should misclassify some rows")
        }
    }
}
