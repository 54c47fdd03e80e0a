import Foundation

/// What one step needs to know beyond the gradient.
public struct StepContext: Sendable {
    /// η_t, the schedule multiplier for this step.
    public var multiplier: Double
    /// λ_t, the penalty or decay coefficient for this step (constant unless normalized).
    public var lambda: Double

    public init(multiplier: Double, lambda: Double) {
        self.multiplier = multiplier
        self.lambda = lambda
    }
}

/// An optimizer as a chain of update stages, plus which parameters decay and any constraint.
///
/// `apply` turns a gradient into an update u through the stages in order, then sets
/// θ ← θ − u and, for the norm-ball constraint, projects θ.
public struct UpdateChain: Hashable, Sendable {
    public let stages: [UpdateStage]
    /// Ranges of the parameter vector that penalties, decay and the constraint act on.
    public let regularizedRanges: [Range<Int>]
    /// The bound on ‖w‖² (norm-ball penalty), or nil.
    public let normBallBound: Double?

    public init(stages: [UpdateStage], regularizedRanges: [Range<Int>], normBallBound: Double? = nil) {
        self.stages = stages
        self.regularizedRanges = regularizedRanges
        self.normBallBound = normBallBound
    }

    /// The chain for an optimizer and a regularization: the one place where a penalty
    /// (before the optimizer's own stages) and a decoupled decay (after them) are told apart.
    ///
    /// - Parameters:
    ///   - learningRate: the base rate α > 0.
    ///   - regularizedRanges: the weights (and biases if they are included).
    public static func make(
        optimizer: OptimizerSpec, regularization: RegularizationSpec, learningRate: Double,
        regularizedRanges: [Range<Int>]
    ) -> UpdateChain {
        var stages: [UpdateStage] = []
        switch regularization.penalty {
        case .l2: stages.append(.addL2Gradient)
        case .l1: stages.append(.addL1Subgradient)
        case .none, .decoupled, .normBall: break
        }
        switch optimizer.kind {
        case .sgd:
            break
        case .sgdMomentum, .sgdNesterov:
            stages.append(.traceMomentum(momentum: Float(optimizer.momentum), nesterov: optimizer.kind == .sgdNesterov))
        case .adam, .amsgrad:
            stages.append(.scaleByAdam(beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon,
                                       amsgrad: optimizer.kind == .amsgrad))
        }
        let decoupled = regularization.penalty == .decoupled
        switch regularization.decayConvention {
        case .torch:
            // θ ← θ − α·η_t·(u + λ·θ) = θ·(1 − α·η_t·λ) − α·η_t·u
            if decoupled { stages.append(.addDecoupledDecay(scaledBySchedule: false)) }
            stages.append(.scaleByLearningRate(learningRate))
        case .paper:
            // θ ← θ − η_t·(α·u + λ·θ)
            stages.append(.scaleByLearningRate(learningRate))
            if decoupled { stages.append(.addDecoupledDecay(scaledBySchedule: true)) }
        }
        let bound = regularization.penalty == .normBall ? regularization.lambda : nil
        return UpdateChain(stages: stages, regularizedRanges: regularizedRanges, normBallBound: bound)
    }

    /// A zeroed state for `parameterCount` parameters.
    public func makeState(parameterCount: Int) -> UpdateState {
        UpdateState(parameterCount: parameterCount, stages: stages)
    }

    /// One optimizer step: θ ← θ − chain(g); `gradient` is used as scratch and holds u after.
    public func apply(
        parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>,
        state: inout UpdateState, context: StepContext
    ) {
        precondition(parameters.count == gradient.count, "gradient and parameters differ in length")
        state.step += 1
        let lambda = Float(context.lambda)
        for stage in stages {
            switch stage {
            case .addL2Gradient:
                forEachRegularized { i in gradient[i] += lambda * parameters[i] }
            case .addL1Subgradient:
                forEachRegularized { i in
                    let w = parameters[i]
                    gradient[i] += w > 0 ? lambda : (w < 0 ? -lambda : 0)
                }
            case .traceMomentum(let momentum, let nesterov):
                traceMomentum(gradient, &state.momentum, momentum: momentum, nesterov: nesterov, firstStep: state.step == 1)
            case .scaleByAdam(let beta1, let beta2, let epsilon, let amsgrad):
                scaleByAdam(gradient, state: &state, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad)
            case .addDecoupledDecay(let scaledBySchedule):
                let coefficient = Float(scaledBySchedule ? context.multiplier * context.lambda : context.lambda)
                forEachRegularized { i in gradient[i] += coefficient * parameters[i] }
            case .scaleByLearningRate(let rate):
                let scale = Float(rate * context.multiplier)
                for i in gradient.indices { gradient[i] *= scale }
            }
        }
        for i in parameters.indices { parameters[i] -= gradient[i] }
        if let bound = normBallBound { projectOntoNormBall(parameters, bound: bound) }
    }

    @inline(__always)
    private func forEachRegularized(_ body: (Int) -> Void) {
        for range in regularizedRanges {
            for i in range { body(i) }
        }
    }

    private func traceMomentum(
        _ u: UnsafeMutableBufferPointer<Float>, _ buffer: inout [Float], momentum: Float, nesterov: Bool, firstStep: Bool
    ) {
        buffer.withUnsafeMutableBufferPointer { b in
            if firstStep {
                // PyTorch starts the buffer at the first gradient, not at μ·0 + g: the same value.
                for i in u.indices { b[i] = u[i] }
            } else {
                for i in u.indices { b[i] = b[i] * momentum + u[i] }
            }
            if nesterov {
                for i in u.indices { u[i] += momentum * b[i] }
            } else {
                for i in u.indices { u[i] = b[i] }
            }
        }
    }

    private func scaleByAdam(
        _ u: UnsafeMutableBufferPointer<Float>, state: inout UpdateState,
        beta1: Double, beta2: Double, epsilon: Double, amsgrad: Bool
    ) {
        let t = Double(state.step)
        // Scalars in Double, as PyTorch computes them in Python floats, then rounded once.
        let oneMinusBeta1 = Float(1 - beta1), beta2Float = Float(beta2), oneMinusBeta2 = Float(1 - beta2)
        let inverseCorrection1 = Float(1 / (1 - pow(beta1, t)))
        let correction2Root = Float((1 - pow(beta2, t)).squareRoot())
        let epsilonFloat = Float(epsilon)
        state.firstMoment.withUnsafeMutableBufferPointer { m in
            state.secondMoment.withUnsafeMutableBufferPointer { v in
                for i in u.indices {
                    let g = u[i]
                    m[i] += oneMinusBeta1 * (g - m[i])
                    v[i] = v[i] * beta2Float + oneMinusBeta2 * g * g
                }
                if amsgrad {
                    state.maximumSecondMoment.withUnsafeMutableBufferPointer { vMax in
                        for i in u.indices {
                            vMax[i] = max(vMax[i], v[i])
                            u[i] = m[i] / (vMax[i].squareRoot() / correction2Root + epsilonFloat) * inverseCorrection1
                        }
                    }
                } else {
                    for i in u.indices {
                        u[i] = m[i] / (v[i].squareRoot() / correction2Root + epsilonFloat) * inverseCorrection1
                    }
                }
            }
        }
    }

    private func projectOntoNormBall(_ parameters: UnsafeMutableBufferPointer<Float>, bound: Double) {
        var squaredNorm = 0.0
        forEachRegularized { i in squaredNorm += Double(parameters[i]) * Double(parameters[i]) }
        guard squaredNorm > bound else { return }
        let scale = Float((bound / squaredNorm).squareRoot())
        forEachRegularized { i in parameters[i] *= scale }
    }
}

extension UpdateChain {
    /// The coupled penalty's value at `parameters`: (λ/2)·‖w‖² (L2) or λ·‖w‖₁ (L1) over the
    /// regularized ranges; 0 for chains without a coupled penalty. Its gradient is what the
    /// penalty stage adds to the update.
    public func penaltyValue(parameters: UnsafeBufferPointer<Float>, lambda: Double) -> Double {
        var sum = 0.0
        for stage in stages {
            switch stage {
            case .addL2Gradient:
                for range in regularizedRanges { for i in range { sum += 0.5 * lambda * Double(parameters[i]) * Double(parameters[i]) } }
            case .addL1Subgradient:
                for range in regularizedRanges { for i in range { sum += lambda * abs(Double(parameters[i])) } }
            default:
                break
            }
        }
        return sum
    }
}
