import Optimization
import XCTest

/// The coupled penalties' stages add the gradient of the penalty they name: checked against
/// central differences of the penalties written out here, (λ/2)·‖w‖² and λ·‖w‖₁ over the weights.
final class PenaltyGradientTests: XCTestCase {
    // Away from zero, where L1 is differentiable; the last entry is a bias: no penalty.
    let parameters: [Float] = [0.7, -1.3, 0.25, -0.05, 2.0]
    let weights = 0..<4
    let lambda = 0.3

    /// u after one chain step with a zero data gradient: for plain SGD with α = 1, the penalty's
    /// (sub)gradient, and what the step subtracts.
    func update(_ optimizer: OptimizerSpec, _ regularization: RegularizationSpec, at parameters: [Float]) -> (update: [Float], parameters: [Float]) {
        let chain = UpdateChain.make(optimizer: optimizer, regularization: regularization,
                                     learningRate: optimizer.learningRate, regularizedRanges: [weights])
        var state = chain.makeState(parameterCount: parameters.count)
        var updated = parameters
        var gradient = [Float](repeating: 0, count: parameters.count)
        updated.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                chain.apply(parameters: p, gradient: g, state: &state, context: StepContext(multiplier: 1, lambda: regularization.lambda))
            }
        }
        return (gradient, updated)
    }

    func centralDifference(of penalty: ([Double]) -> Double, at parameters: [Float]) -> [Double] {
        let h = 1e-4
        let point = parameters.map(Double.init)
        return point.indices.map { i in
            var plus = point, minus = point
            plus[i] += h
            minus[i] -= h
            return (penalty(plus) - penalty(minus)) / (2 * h)
        }
    }

    func testL2StageAddsTheGradientOfHalfLambdaTimesTheSquaredNorm() {
        let penalty = { (w: [Double]) in self.lambda / 2 * self.weights.reduce(0) { $0 + w[$1] * w[$1] } }
        let analytic = update(OptimizerSpec(kind: .sgd, learningRate: 1), RegularizationSpec(penalty: .l2, lambda: lambda), at: parameters).update
        let numeric = centralDifference(of: penalty, at: parameters)
        for (a, n) in zip(analytic, numeric) { XCTAssertEqual(Double(a), n, accuracy: 1e-6) }
        XCTAssertEqual(analytic[4], 0, "biases are not penalised")
    }

    func testL1StageAddsTheGradientOfLambdaTimesTheL1Norm() {
        let penalty = { (w: [Double]) in self.lambda * self.weights.reduce(0) { $0 + abs(w[$1]) } }
        let analytic = update(OptimizerSpec(kind: .sgd, learningRate: 1), RegularizationSpec(penalty: .l1, lambda: lambda), at: parameters).update
        let numeric = centralDifference(of: penalty, at: parameters)
        for (a, n) in zip(analytic, numeric) { XCTAssertEqual(Double(a), n, accuracy: 1e-6) }
        XCTAssertEqual(analytic[4], 0, "biases are not penalised")
    }

    /// With a zero data gradient Adam's moments stay zero, so AdamW's step is the decay alone,
    /// θ·(1 − α·λ); Adam+L2 feeds λ·w through the preconditioner, which normalises it to a
    /// step of α·sign(w) whatever w's size. A decay placed before Adam would fail the first
    /// half, a penalty placed after it the second.
    func testDecayBypassesAdamsPreconditionerWhereAPenaltyGoesThroughIt() {
        let α = 0.01
        let adamW = update(OptimizerSpec(kind: .adam, learningRate: α), RegularizationSpec(penalty: .decoupled, lambda: lambda), at: parameters).parameters
        for i in parameters.indices {
            let expected = weights.contains(i) ? Double(parameters[i]) * (1 - α * lambda) : Double(parameters[i])
            XCTAssertEqual(Double(adamW[i]), expected, accuracy: 1e-6)
        }
        let adamL2 = update(OptimizerSpec(kind: .adam, learningRate: α), RegularizationSpec(penalty: .l2, lambda: lambda), at: parameters).parameters
        for i in parameters.indices {
            let w = Double(parameters[i])
            let expected = weights.contains(i) ? w - α * (w > 0 ? 1 : -1) : w
            XCTAssertEqual(Double(adamL2[i]), expected, accuracy: 1e-5)
        }
    }

    func testNoPenaltyAndAnInactiveNormBallLeaveParametersAlone() {
        for penalty in [RegularizationSpec.Penalty.none, .normBall] {
            let result = update(OptimizerSpec(kind: .adam), RegularizationSpec(penalty: penalty, lambda: 100), at: parameters)
            XCTAssertEqual(result.parameters, parameters, "\(penalty)")
        }
    }
}
