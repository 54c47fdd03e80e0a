import Optimization
import XCTest

/// Single steps of each chain against the update rules written out by hand (README, "Update rules").
final class UpdateChainTests: XCTestCase {
    let weights = 0..<3  // the last entry plays a bias: never regularised

    func step(_ optimizer: OptimizerSpec, _ regularization: RegularizationSpec,
              parameters: [Float], gradients: [[Float]], multipliers: [Double],
              regularizedRanges: [Range<Int>]? = nil) -> [Float] {
        let chain = UpdateChain.make(optimizer: optimizer, regularization: regularization,
                                     learningRate: optimizer.learningRate, regularizedRanges: regularizedRanges ?? [weights])
        var state = chain.makeState(parameterCount: parameters.count)
        var parameters = parameters
        for (gradient, multiplier) in zip(gradients, multipliers) {
            var gradient = gradient
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in
                    chain.apply(parameters: p, gradient: g, state: &state,
                                context: StepContext(multiplier: multiplier, lambda: regularization.lambda))
                }
            }
        }
        return parameters
    }

    let theta: [Float] = [0.5, -1.0, 0.0, 2.0]
    let g1: [Float] = [0.1, 0.2, -0.3, 0.4]
    let g2: [Float] = [-0.2, 0.05, 0.1, 0.3]

    func assertClose(_ actual: [Float], _ expected: [Double], tolerance: Double = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (a, e) in zip(actual, expected) {
            XCTAssertEqual(Double(a), e, accuracy: tolerance * max(1, abs(e)), file: file, line: line)
        }
    }

    /// AdamW, paper convention: θ ← θ − η_t·(α·m̂/(√v̂+ε) + λ·θ), two steps with η = 0.5 then 0.25.
    func testAdamWPaperConventionByHand() {
        let α = 0.01, λ = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-8
        let etas = [0.5, 0.25]
        var θ = theta.map(Double.init), m = [Double](repeating: 0, count: 4), v = m
        for (t, (g, η)) in zip([g1, g2], etas).enumerated() {
            for i in 0..<4 {
                let gi = Double(g[i])
                m[i] = β1 * m[i] + (1 - β1) * gi
                v[i] = β2 * v[i] + (1 - β2) * gi * gi
                let mHat = m[i] / (1 - pow(β1, Double(t + 1))), vHat = v[i] / (1 - pow(β2, Double(t + 1)))
                let decay = weights.contains(i) ? λ * θ[i] : 0
                θ[i] -= η * (α * mHat / (vHat.squareRoot() + ε) + decay)
            }
        }
        let result = step(OptimizerSpec(kind: .adam, learningRate: α),
                          RegularizationSpec(penalty: .decoupled, lambda: λ, decayConvention: .paper),
                          parameters: theta, gradients: [g1, g2], multipliers: etas)
        assertClose(result, θ)
    }

    /// AdamW, PyTorch convention: θ ← θ·(1 − α·η·λ) − α·η·m̂/(√v̂+ε).
    func testAdamWTorchConventionByHand() {
        let α = 0.01, λ = 0.1, η = 0.5
        let mHat = g1.map(Double.init), vHat = g1.map { Double($0) * Double($0) }
        let expected = (0..<4).map { i -> Double in
            let decay = weights.contains(i) ? (1 - α * η * λ) : 1
            return Double(theta[i]) * decay - α * η * mHat[i] / (vHat[i].squareRoot() + 1e-8)
        }
        let result = step(OptimizerSpec(kind: .adam, learningRate: α),
                          RegularizationSpec(penalty: .decoupled, lambda: λ, decayConvention: .torch),
                          parameters: theta, gradients: [g1], multipliers: [η])
        assertClose(result, expected)
    }

    /// SGDW with momentum, paper convention: θ ← θ − α·η·b − η·λ·θ with b PyTorch's buffer.
    func testSGDWPaperConventionByHand() {
        let α = 0.1, λ = 0.05, μ = 0.9
        let etas = [1.0, 0.5]
        var θ = theta.map(Double.init), buffer = [Double](repeating: 0, count: 4)
        for (t, (g, η)) in zip([g1, g2], etas).enumerated() {
            for i in 0..<4 {
                buffer[i] = t == 0 ? Double(g[i]) : μ * buffer[i] + Double(g[i])
                θ[i] -= α * η * buffer[i] + (weights.contains(i) ? η * λ * θ[i] : 0)
            }
        }
        let result = step(OptimizerSpec(kind: .sgdMomentum, learningRate: α, momentum: μ),
                          RegularizationSpec(penalty: .decoupled, lambda: λ, decayConvention: .paper),
                          parameters: theta, gradients: [g1, g2], multipliers: etas)
        assertClose(result, θ)
    }

    func testNesterovByHand() {
        let α = 0.1, μ = 0.9
        var θ = theta.map(Double.init), buffer = [Double](repeating: 0, count: 4)
        for (t, g) in [g1, g2].enumerated() {
            for i in 0..<4 {
                buffer[i] = t == 0 ? Double(g[i]) : μ * buffer[i] + Double(g[i])
                θ[i] -= α * (Double(g[i]) + μ * buffer[i])
            }
        }
        let result = step(OptimizerSpec(kind: .sgdNesterov, learningRate: α, momentum: μ), RegularizationSpec(),
                          parameters: theta, gradients: [g1, g2], multipliers: [1, 1])
        assertClose(result, θ)
    }

    /// L1: the subgradient λ·sign(w) with sign(0) = 0, biases untouched.
    func testL1SubgradientTreatsZeroAsZero() {
        let α = 0.1, λ = 0.2
        let zero: [Float] = [0, 0, 0, 0]
        let result = step(OptimizerSpec(kind: .sgd, learningRate: α), RegularizationSpec(penalty: .l1, lambda: λ),
                          parameters: theta, gradients: [zero], multipliers: [1])
        assertClose(result, [0.5 - α * λ, -1 + α * λ, 0, 2])
    }

    /// AMSGrad in PyTorch's form: the running maximum of the uncorrected v, bias-corrected at
    /// the current step. With β1 = 0 (m̂ = g), β2 = ½, ε = 0 and gradients 2, 1, 1:
    /// v = 2, 1.5, 1.25 while max v stays 2; the corrections 1 − ½ᵗ are ½, ¾, ⅞. So AMSGrad's
    /// updates are 2/√(2/½) = 1, 1/√(2/¾) = √(3/8), 1/√(2/⅞) = √(7/16), where Adam's are
    /// 1, 1/√(1.5/¾) = √½ and 1/√(1.25/⅞) = √0.7. (Taking the maximum of the corrected v̂
    /// instead would give ½ on the second step.)
    func testAMSGradDividesByTheRunningMaximumOfTheSecondMoment() {
        let optimizer = { (kind: OptimizerSpec.Kind) in OptimizerSpec(kind: kind, learningRate: 1, beta1: 0, beta2: 0.5, epsilon: 0) }
        let gradients: [[Float]] = [[2], [1], [1]]
        func trajectory(_ kind: OptimizerSpec.Kind) -> [Double] {
            (1...3).map { steps in
                Double(step(optimizer(kind), RegularizationSpec(), parameters: [10], gradients: Array(gradients.prefix(steps)),
                            multipliers: [1, 1, 1], regularizedRanges: [])[0])
            }
        }
        let amsgrad = trajectory(.amsgrad), adam = trajectory(.adam)
        let expectedAMSGrad = [9, 9 - (3.0 / 8).squareRoot(), 9 - (3.0 / 8).squareRoot() - (7.0 / 16).squareRoot()]
        let expectedAdam = [9, 9 - 0.5.squareRoot(), 9 - 0.5.squareRoot() - 0.7.squareRoot()]
        for (actual, expected) in zip(amsgrad, expectedAMSGrad) { XCTAssertEqual(actual, expected, accuracy: 1e-6) }
        for (actual, expected) in zip(adam, expectedAdam) { XCTAssertEqual(actual, expected, accuracy: 1e-6) }
    }

    func testNormBallProjectsOnlyWhenOutside() {
        // ‖w‖² = 0.25 + 1 + 0 = 1.25 > 0.5: scaled by √(0.5/1.25); the bias stays.
        let zero: [Float] = [0, 0, 0, 0]
        let inside = step(OptimizerSpec(kind: .sgd, learningRate: 0.1), RegularizationSpec(penalty: .normBall, lambda: 2),
                          parameters: theta, gradients: [zero], multipliers: [1])
        assertClose(inside, theta.map(Double.init))
        let projected = step(OptimizerSpec(kind: .sgd, learningRate: 0.1), RegularizationSpec(penalty: .normBall, lambda: 0.5),
                             parameters: theta, gradients: [zero], multipliers: [1])
        let scale = (0.5 / 1.25).squareRoot()
        assertClose(projected, [0.5 * scale, -scale, 0, 2])
        let squaredNorm = projected[0..<3].reduce(0.0) { $0 + Double($1) * Double($1) }
        XCTAssertEqual(squaredNorm, 0.5, accuracy: 1e-6)
    }

    /// Where the decay sits is the whole difference between Adam+L2 and AdamW.
    func testChainsDifferOnlyInWhereTheDecayEnters() {
        func chain(_ kind: OptimizerSpec.Kind, _ penalty: RegularizationSpec.Penalty, _ convention: RegularizationSpec.DecayConvention) -> [AnyHashable] {
            UpdateChain.make(optimizer: OptimizerSpec(kind: kind, learningRate: 0.1),
                             regularization: RegularizationSpec(penalty: penalty, lambda: 0.1, decayConvention: convention),
                             learningRate: 0.1, regularizedRanges: []).stages.map { AnyHashable($0) }
        }
        let adam = ScaleByAdam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false)
        let rate = ScaleByLearningRate(0.1)
        XCTAssertEqual(chain(.adam, .l2, .torch), [AddL2Gradient(), adam, rate])
        XCTAssertEqual(chain(.adam, .decoupled, .torch), [adam, AddDecoupledDecay(scaledBySchedule: false), rate])
        XCTAssertEqual(chain(.adam, .decoupled, .paper), [adam, rate, AddDecoupledDecay(scaledBySchedule: true)])
        XCTAssertEqual(chain(.sgd, .l2, .paper), [AddL2Gradient(), rate])
        XCTAssertEqual(chain(.sgdNesterov, .l1, .torch), [AddL1Subgradient(), TraceMomentum(momentum: 0.9, nesterov: true), rate])
    }
}
