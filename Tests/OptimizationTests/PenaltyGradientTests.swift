import Optimization
import XCTest

/// The coupled penalties' stages add the gradient of the penalty they name: checked
/// against central finite differences of `penaltyValue`.
final class PenaltyGradientTests: XCTestCase {
    /// What plain SGD with α = 1 and a zero data gradient subtracts: the penalty's (sub)gradient.
    func stageGradient(_ penalty: RegularizationSpec.Penalty, lambda: Double, at parameters: [Float], regularized: Range<Int>) -> [Float] {
        let chain = UpdateChain.make(optimizer: OptimizerSpec(kind: .sgd, learningRate: 1),
                                     regularization: RegularizationSpec(penalty: penalty, lambda: lambda),
                                     learningRate: 1, regularizedRanges: [regularized])
        var state = chain.makeState(parameterCount: parameters.count)
        var updated = parameters
        var gradient = [Float](repeating: 0, count: parameters.count)
        updated.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                chain.apply(parameters: p, gradient: g, state: &state, context: StepContext(multiplier: 1, lambda: lambda))
            }
        }
        return gradient
    }

    func finiteDifference(_ penalty: RegularizationSpec.Penalty, lambda: Double, at parameters: [Float], regularized: Range<Int>) -> [Double] {
        let chain = UpdateChain.make(optimizer: OptimizerSpec(kind: .sgd, learningRate: 1),
                                     regularization: RegularizationSpec(penalty: penalty, lambda: lambda),
                                     learningRate: 1, regularizedRanges: [regularized])
        let h: Float = 1e-3
        return parameters.indices.map { i in
            var plus = parameters, minus = parameters
            plus[i] += h
            minus[i] -= h
            let up = plus.withUnsafeBufferPointer { chain.penaltyValue(parameters: $0, lambda: lambda) }
            let down = minus.withUnsafeBufferPointer { chain.penaltyValue(parameters: $0, lambda: lambda) }
            return (up - down) / Double(plus[i] - minus[i])
        }
    }

    // Away from zero, where L1 is differentiable; the last entry is a bias: no penalty.
    let parameters: [Float] = [0.7, -1.3, 0.25, -0.05, 2.0]
    let weights = 0..<4

    func testL2GradientIsLambdaTimesWeight() {
        let analytic = stageGradient(.l2, lambda: 0.3, at: parameters, regularized: weights)
        let numeric = finiteDifference(.l2, lambda: 0.3, at: parameters, regularized: weights)
        for (a, n) in zip(analytic, numeric) { XCTAssertEqual(Double(a), n, accuracy: 1e-4) }
        XCTAssertEqual(analytic[4], 0, "biases are not penalised")
    }

    func testL1SubgradientIsLambdaTimesSign() {
        let analytic = stageGradient(.l1, lambda: 0.3, at: parameters, regularized: weights)
        let numeric = finiteDifference(.l1, lambda: 0.3, at: parameters, regularized: weights)
        for (a, n) in zip(analytic, numeric) { XCTAssertEqual(Double(a), n, accuracy: 1e-4) }
    }

    func testDecoupledDecayAndNormBallAddNoPenaltyToTheLoss() {
        for penalty in [RegularizationSpec.Penalty.decoupled, .normBall, .none] {
            let chain = UpdateChain.make(optimizer: OptimizerSpec(kind: .adam), regularization: RegularizationSpec(penalty: penalty, lambda: 0.1),
                                         learningRate: 1e-3, regularizedRanges: [weights])
            XCTAssertEqual(parameters.withUnsafeBufferPointer { chain.penaltyValue(parameters: $0, lambda: 0.1) }, 0)
        }
    }
}
