import Models
import TensorMath
import XCTest

/// A NaN anywhere in the forward pass must reach the loss, so the trainer sees the run diverge
/// at that step instead of training on with a silently zeroed unit.
final class NaNPropagationTests: XCTestCase {
    /// The batch loss and the network's evaluation of `rows` random points with these parameters.
    func lossAndEvaluation(activation: ModelSpec.Activation, poison: (inout [Float], ParameterLayout) -> Void)
        -> (loss: Double, evaluationLoss: Double)
    {
        let features = 5, rows = 7, classes = 3
        let architecture = Architecture(inputs: features, hidden: [6, 4], outputs: classes, activation: activation,
                                        loss: .softmaxCrossEntropy)
        let network = DenseNetwork(architecture: architecture)
        var random = DeterministicRandom(seed: 3, stream: "nan")
        var parameters = ParameterInitializer.parameters(for: architecture, scheme: .he, random: &random)
        poison(&parameters, network.layout)
        let inputs = (0..<(rows * features)).map { _ in Float(random.nextNormal()) }
        let labels = (0..<rows).map { Int32($0 % classes) }
        var workspace = network.makeWorkspace(capacity: rows)
        var gradient = [Float](repeating: 0, count: parameters.count)
        return parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        let loss = network.lossAndGradient(parameters: p, inputs: x, targets: .labels(y), rows: rows,
                                                           gradient: g, workspace: &workspace)
                        let evaluation = network.evaluate(parameters: p, inputs: x, targets: .labels(y), rows: rows,
                                                          workspace: &workspace)
                        return (loss, evaluation.lossSum)
                    }
                }
            }
        }
    }

    func testNaNWeightInFirstLayerReachesTheLossThroughReLU() {
        // One NaN weight makes one hidden unit NaN for every row; a ReLU written as max(0, x)
        // or `x > 0 ? x : 0` turns it into 0 and the loss stays finite.
        let result = lossAndEvaluation(activation: .relu) { parameters, layout in
            parameters[layout.entries[0].offset + 2] = .nan
        }
        XCTAssertTrue(result.loss.isNaN, "training loss \(result.loss)")
        XCTAssertTrue(result.evaluationLoss.isNaN, "evaluation loss \(result.evaluationLoss)")
    }

    func testNaNBiasInSecondLayerReachesTheLossThroughReLU() {
        let result = lossAndEvaluation(activation: .relu) { parameters, layout in
            parameters[layout.entries[3].offset + 1] = .nan
        }
        XCTAssertTrue(result.loss.isNaN, "training loss \(result.loss)")
        XCTAssertTrue(result.evaluationLoss.isNaN, "evaluation loss \(result.evaluationLoss)")
    }

    func testNaNWeightReachesTheLossThroughTanh() {
        let result = lossAndEvaluation(activation: .tanh) { parameters, layout in
            parameters[layout.entries[0].offset] = .nan
        }
        XCTAssertTrue(result.loss.isNaN, "training loss \(result.loss)")
        XCTAssertTrue(result.evaluationLoss.isNaN, "evaluation loss \(result.evaluationLoss)")
    }

    func testFiniteParametersGiveAFiniteLoss() {
        let result = lossAndEvaluation(activation: .relu) { _, _ in }
        XCTAssertTrue(result.loss.isFinite)
        XCTAssertTrue(result.evaluationLoss.isFinite)
    }
}
