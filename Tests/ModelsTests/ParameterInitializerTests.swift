import Models
import TensorMath
import XCTest

/// `init: torch` against PyTorch's nn.Linear default: weights and biases ~ U(−b, b) with
/// b = 1/√fan_in, so mean 0, variance b²/3 = 1/(3·fan_in) and fourth moment b⁴/5.
final class ParameterInitializerTests: XCTestCase {
    let architecture = Architecture(inputs: 400, hidden: [300], outputs: 10, activation: .relu, loss: .softmaxCrossEntropy)

    func torchParameters(seed: UInt64) -> [Float] {
        var random = DeterministicRandom(seed: seed, stream: "init")
        return ParameterInitializer.parameters(for: architecture, scheme: .torch, random: &random)
    }

    func testEveryTensorIsUniformWithinOneOverRootFanIn() throws {
        let parameters = torchParameters(seed: 7)
        let layout = architecture.parameterLayout
        XCTAssertEqual(layout.entries.map(\.name), ["layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias"])
        let fanIns = ["layer0.weight": 400.0, "layer0.bias": 400, "layer1.weight": 300, "layer1.bias": 300]
        for entry in layout.entries {
            let fanIn = try XCTUnwrap(fanIns[entry.name])
            let bound = 1 / fanIn.squareRoot()
            let values = parameters[entry.range].map(Double.init)
            let n = Double(values.count)
            XCTAssertTrue(values.allSatisfy { abs($0) <= bound }, "\(entry.name) leaves ±\(bound)")
            if values.count >= 300 {   // P(max |x| < 0.9·b) = 0.9ⁿ < 1e-13
                XCTAssertGreaterThan(values.map(abs).max()!, 0.9 * bound, "\(entry.name) fills its interval")
            }

            // Sampling error of each moment, from the uniform distribution's own moments:
            // sd(mean) = σ/√n, sd(s²) = √((μ4 − σ⁴)/n), sd(m4) = √((μ8 − μ4²)/n); allow 5 of them.
            let variance = bound * bound / 3, fourth = pow(bound, 4) / 5, eighth = pow(bound, 8) / 9
            let mean = values.reduce(0, +) / n
            let secondMoment = values.map { $0 * $0 }.reduce(0, +) / n
            let fourthMoment = values.map { pow($0, 4) }.reduce(0, +) / n
            XCTAssertEqual(mean, 0, accuracy: 5 * (variance / n).squareRoot(), entry.name)
            XCTAssertEqual(secondMoment, variance, accuracy: 5 * ((fourth - variance * variance) / n).squareRoot(), entry.name)
            XCTAssertEqual(fourthMoment, fourth, accuracy: 5 * ((eighth - fourth * fourth) / n).squareRoot(), entry.name)
        }
        // The weights' variance is nn.Linear's 1/(3·fan_in), not He's 2/fan_in or Glorot's 2/(fan_in + fan_out).
        let weights = parameters[layout.entries[0].range].map(Double.init)
        let variance = weights.map { $0 * $0 }.reduce(0, +) / Double(weights.count)
        XCTAssertEqual(variance * 3 * 400, 1, accuracy: 0.02)
    }

    func testDrawsComeFromDecayBenchsOwnStreamInLayoutOrder() {
        let parameters = torchParameters(seed: 11)
        XCTAssertEqual(parameters, torchParameters(seed: 11))
        XCTAssertNotEqual(parameters, torchParameters(seed: 12))
        var random = DeterministicRandom(seed: 11, stream: "init")
        let bound = 1 / Double(400).squareRoot()
        let expected = (0..<(300 * 400 + 300)).map { _ in Float(bound * (2 * random.nextUnitDouble() - 1)) }
        XCTAssertEqual(Array(parameters[0..<expected.count]), expected, "layer0.weight, then layer0.bias")
    }

    func testOtherSchemesStillLeaveBiasesAtZero() {
        for scheme in [ModelSpec.Initialization.he, .glorot] {
            var random = DeterministicRandom(seed: 3, stream: "init")
            let parameters = ParameterInitializer.parameters(for: architecture, scheme: scheme, random: &random)
            for entry in architecture.parameterLayout.entries where entry.role == .bias {
                XCTAssertTrue(parameters[entry.range].allSatisfy { $0 == 0 }, "\(scheme) \(entry.name)")
            }
        }
    }
}
