import Models
import TensorMath
import XCTest

/// Backpropagation checked against central finite differences of the loss.
final class GradientCheckTests: XCTestCase {
    struct Problem {
        var architecture: Architecture
        var inputs: [Float]
        var labels: [Int32]
        var values: [Float]
        var rows: Int
    }

    func makeProblem(hidden: [Int], activation: ModelSpec.Activation, loss: Architecture.Loss, seed: UInt64) -> Problem {
        let features = 4, rows = 6, classes = 3
        var random = DeterministicRandom(seed: seed, stream: "gradient-check")
        let inputs = (0..<(rows * features)).map { _ in Float(random.nextNormal()) }
        let labels = (0..<rows).map { Int32($0 % classes) }
        let values = (0..<rows).map { _ in Float(random.nextNormal()) }
        let architecture = Architecture(inputs: features, hidden: hidden, outputs: loss == .meanSquaredError ? 1 : classes,
                                        activation: activation, loss: loss)
        return Problem(architecture: architecture, inputs: inputs, labels: labels, values: values, rows: rows)
    }

    /// Loss and analytic gradient at `parameters`.
    func lossAndGradient(_ problem: Problem, _ parameters: [Float]) -> (Double, [Float]) {
        let network = DenseNetwork(architecture: problem.architecture)
        var workspace = network.makeWorkspace(capacity: problem.rows)
        var gradient = [Float](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            problem.inputs.withUnsafeBufferPointer { x in
                gradient.withUnsafeMutableBufferPointer { g in
                    if problem.architecture.loss == .softmaxCrossEntropy {
                        return problem.labels.withUnsafeBufferPointer {
                            network.lossAndGradient(parameters: p, inputs: x, targets: .labels($0), rows: problem.rows, gradient: g, workspace: &workspace)
                        }
                    }
                    return problem.values.withUnsafeBufferPointer {
                        network.lossAndGradient(parameters: p, inputs: x, targets: .values($0), rows: problem.rows, gradient: g, workspace: &workspace)
                    }
                }
            }
        }
        return (loss, gradient)
    }

    func check(_ problem: Problem, file: StaticString = #filePath, line: UInt = #line) {
        var random = DeterministicRandom(seed: 7, stream: "parameters")
        let parameters = ParameterInitializer.parameters(for: problem.architecture, scheme: .glorot, random: &random)
            .map { $0 + 0.05 * Float(random.nextNormal()) }  // non-zero biases too
        let (_, gradient) = lossAndGradient(problem, parameters)
        // Central differences in Float32 need a large step; 1e-2 keeps the truncation error
        // (∝ h²) and the rounding error (∝ ε/h) both near 1e-4 of the gradient's scale.
        let h: Float = 1e-2
        let scale = max(1e-3, gradient.map { abs(Double($0)) }.max()!)
        var worst = 0.0
        for i in parameters.indices {
            var plus = parameters, minus = parameters
            plus[i] += h
            minus[i] -= h
            let numeric = (lossAndGradient(problem, plus).0 - lossAndGradient(problem, minus).0) / Double(2 * h)
            worst = max(worst, abs(numeric - Double(gradient[i])) / scale)
        }
        XCTAssertLessThan(worst, 2e-3, "largest finite-difference mismatch relative to the largest gradient", file: file, line: line)
    }

    func testLinearRegressionMeanSquaredError() {
        check(makeProblem(hidden: [], activation: .relu, loss: .meanSquaredError, seed: 1))
    }

    func testSoftmaxRegressionCrossEntropy() {
        check(makeProblem(hidden: [], activation: .relu, loss: .softmaxCrossEntropy, seed: 2))
    }

    func testTanhMultilayerPerceptronCrossEntropy() {
        check(makeProblem(hidden: [5, 4], activation: .tanh, loss: .softmaxCrossEntropy, seed: 3))
    }

    func testReLUMultilayerPerceptronCrossEntropy() {
        check(makeProblem(hidden: [6], activation: .relu, loss: .softmaxCrossEntropy, seed: 4))
    }

    func testTanhMultilayerPerceptronRegression() {
        check(makeProblem(hidden: [5], activation: .tanh, loss: .meanSquaredError, seed: 5))
    }

    /// The gradient check would pass for a wrong gradient if the loss itself were wrong;
    /// pin the loss to a hand computation: one point, logits known.
    func testCrossEntropyValueByHand() {
        let architecture = Architecture(inputs: 1, hidden: [], outputs: 3, activation: .relu, loss: .softmaxCrossEntropy)
        // weight [3, 1] = (1, 2, 3), bias 0, x = 1 → logits (1, 2, 3), label 0.
        let parameters: [Float] = [1, 2, 3, 0, 0, 0]
        let problem = Problem(architecture: architecture, inputs: [1], labels: [0], values: [], rows: 1)
        let (loss, _) = lossAndGradient(problem, parameters)
        let expected = log(exp(1.0) + exp(2.0) + exp(3.0)) - 1
        XCTAssertEqual(loss, expected, accuracy: 1e-6)
    }

    func testCrossEntropyIsStableForHugeLogits() {
        let architecture = Architecture(inputs: 1, hidden: [], outputs: 2, activation: .relu, loss: .softmaxCrossEntropy)
        let parameters: [Float] = [1e4, -1e4, 0, 0]
        let problem = Problem(architecture: architecture, inputs: [1], labels: [1], values: [], rows: 1)
        let (loss, gradient) = lossAndGradient(problem, parameters)
        XCTAssertEqual(loss, 2e4, accuracy: 1)
        XCTAssertTrue(gradient.allSatisfy { $0.isFinite })
    }
}
