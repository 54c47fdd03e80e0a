import Models
import TensorMath
import XCTest

/// `lossAndGradient(…, gradientIsZero: true)` adds the weight gradients onto a zeroed buffer
/// (sgemm with β = 1) instead of having OpenBLAS clear it (β = 0): the bits must not change,
/// for a batch whose sum over rows fits one of OpenBLAS's K blocks and for one that spans
/// several, and the β = 0 path must not read what the buffer held before.
final class GradientOntoZerosTests: XCTestCase {
    func gradient(architecture: Architecture, rows: Int, startingFrom initial: Float, gradientIsZero: Bool) -> (Double, [Float]) {
        let network = DenseNetwork(architecture: architecture)
        var random = DeterministicRandom(seed: 3, stream: "gradient-onto-zeros")
        let parameters = ParameterInitializer.parameters(for: architecture, scheme: .glorot, random: &random)
        // Non-negative inputs with zeros among them, like pixels.
        let inputs = (0..<(rows * architecture.inputCount)).map { _ in max(0, Float(random.nextNormal())) }
        let labels = (0..<rows).map { Int32($0 % architecture.outputCount) }
        var workspace = network.makeWorkspace(capacity: rows)
        var gradient = [Float](repeating: initial, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        network.lossAndGradient(parameters: p, inputs: x, targets: .labels(y), rows: rows, gradient: g,
                                                gradientIsZero: gradientIsZero, workspace: &workspace)
                    }
                }
            }
        }
        return (loss, gradient)
    }

    func testAddingOntoZerosGivesTheBitsOfClearing() {
        let architecture = Architecture(inputs: 37, hidden: [300, 41], outputs: 10, activation: .relu, loss: .softmaxCrossEntropy)
        for rows in [1, 7, 128, 1000] {
            let cleared = gradient(architecture: architecture, rows: rows, startingFrom: .nan, gradientIsZero: false)
            let added = gradient(architecture: architecture, rows: rows, startingFrom: 0, gradientIsZero: true)
            XCTAssertEqual(cleared.0.bitPattern, added.0.bitPattern, "loss, \(rows) rows")
            XCTAssertTrue(cleared.1.allSatisfy(\.isFinite), "β = 0 read the NaN the buffer held, \(rows) rows")
            XCTAssertEqual(cleared.1.map(\.bitPattern), added.1.map(\.bitPattern), "gradient, \(rows) rows")
            XCTAssertTrue(added.1.contains { $0 != 0 }, "no gradient at all, \(rows) rows")
        }
    }

    /// The promise matters: onto a buffer that is not zero, the weight gradients are added to
    /// what it held (the bias gradients, sums written directly, are not).
    func testWithoutThePromiseKeptTheWeightGradientsAreOffset() {
        let architecture = Architecture(inputs: 5, hidden: [4], outputs: 3, activation: .relu, loss: .softmaxCrossEntropy)
        let cleared = gradient(architecture: architecture, rows: 6, startingFrom: 0, gradientIsZero: false).1
        let offset = gradient(architecture: architecture, rows: 6, startingFrom: 1, gradientIsZero: true).1
        let layout = DenseNetwork(architecture: architecture).layout
        for entry in layout.entries {
            let range = entry.offset..<(entry.offset + entry.count)
            let shifted = zip(cleared[range], offset[range]).map { $1 - $0 }
            if entry.role == .weight {
                XCTAssertTrue(shifted.allSatisfy { abs($0 - 1) < 1e-6 }, "\(entry.name): \(shifted)")
            } else {
                XCTAssertEqual(shifted, [Float](repeating: 0, count: entry.count), entry.name)
            }
        }
    }
}
