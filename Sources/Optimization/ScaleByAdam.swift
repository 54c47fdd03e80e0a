import Foundation

/// Adam's preconditioner: u ← m̂ / (√v̂ + ε), with m, v the bias-corrected moments of u.
///
/// With `amsgrad`, v is replaced by its running maximum (PyTorch's form: the maximum of
/// the uncorrected v, corrected at the current step).
public struct ScaleByAdam: UpdateStage {
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let amsgrad: Bool

    public init(beta1: Double, beta2: Double, epsilon: Double, amsgrad: Bool) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
    }

    public var stateVectors: [String] {
        ["first moment", "second moment"] + (amsgrad ? ["maximum second moment"] : [])
    }

    public struct Constants: BitwiseCopyable {
        let oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float
        let inverseCorrection1: Float, correction2Root: Float, epsilon: Float
    }

    public func constants(at step: UpdateStep) -> Constants {
        let t = Double(step.count)
        // Scalars in Double, as PyTorch computes them in Python floats, then rounded once.
        return Constants(oneMinusBeta1: Float(1 - beta1), beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2),
                         inverseCorrection1: Float(1 / (1 - pow(beta1, t))),
                         correction2Root: Float((1 - pow(beta2, t)).squareRoot()), epsilon: Float(epsilon))
    }

    public func update(_ block: UpdateBlock, _ c: Constants) {
        let u = block.update.baseAddress!, m = block.state(0).baseAddress!, v = block.state(1).baseAddress!
        // m ← m + (1 − β₁)(u − m);  v ← β₂ v + (1 − β₂) u²;  u ← m / (√v / √(1 − β₂ᵗ) + ε) / (1 − β₁ᵗ),
        // with v's running maximum in the direction for AMSGrad
        if amsgrad {
            block.loops.amsgrad(u, firstMoment: m, secondMoment: v, maximumSecondMoment: block.state(2).baseAddress!,
                                oneMinusBeta1: c.oneMinusBeta1, beta2: c.beta2, oneMinusBeta2: c.oneMinusBeta2,
                                correction2Root: c.correction2Root, epsilon: c.epsilon,
                                inverseCorrection1: c.inverseCorrection1, count: block.count)
        } else {
            block.loops.adam(u, firstMoment: m, secondMoment: v,
                             oneMinusBeta1: c.oneMinusBeta1, beta2: c.beta2, oneMinusBeta2: c.oneMinusBeta2,
                             correction2Root: c.correction2Root, epsilon: c.epsilon,
                             inverseCorrection1: c.inverseCorrection1, count: block.count)
        }
    }
}
