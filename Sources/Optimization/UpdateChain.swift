/// An optimizer as a chain of update stages, plus which parameters decay and any constraint.
///
/// `apply` turns a gradient into an update u through the stages in order, then sets
/// θ ← θ − u and, for the norm-ball constraint, projects θ.
public struct UpdateChain: Sendable {
    public let stages: [any UpdateStage]
    /// Ranges of the parameter vector that penalties, decay and the constraint act on.
    public let regularizedRanges: [Range<Int>]
    /// The norm-ball constraint, or nil.
    public let projection: NormBallProjection?
    /// `regularizedRanges` without empty ones, in increasing order: where blocks are cut.
    let sortedRegularizedRanges: [Range<Int>]
    /// Where the stages are, when the chain is one that `apply` runs as a single loop.
    let fusedAdam: FusedAdamChain?
    /// Whether the chain is one that `apply` can run as a single loop per block.
    public var hasSingleLoop: Bool { fusedAdam != nil }
    /// Whether `apply` takes that loop where the chain has one: true unless a test or a
    /// benchmark turns it off to compare the loop with the stages it stands for.
    public var fusionEnabled = true

    /// - Parameters:
    ///   - regularizedRanges: disjoint ranges, in any order.
    public init(stages: [any UpdateStage], regularizedRanges: [Range<Int>], projection: NormBallProjection? = nil) {
        for stage in stages {
            precondition(type(of: stage).constantsFitASlot, "\(type(of: stage))'s constants exceed \(Self.constantsSlotSize) bytes")
        }
        let sorted = regularizedRanges.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        precondition(zip(sorted, sorted.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound }, "regularized ranges overlap")
        self.stages = stages
        self.regularizedRanges = regularizedRanges
        self.projection = projection
        self.sortedRegularizedRanges = sorted
        self.fusedAdam = FusedAdamChain(stages: stages)
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
        var stages: [any UpdateStage] = []
        switch regularization.penalty {
        case .l2: stages.append(AddL2Gradient())
        case .l1: stages.append(AddL1Subgradient())
        case .none, .decoupled, .normBall: break
        }
        switch optimizer.kind {
        case .sgd:
            break
        case .sgdMomentum, .sgdNesterov:
            stages.append(TraceMomentum(momentum: Float(optimizer.momentum), nesterov: optimizer.kind == .sgdNesterov))
        case .adam, .amsgrad:
            stages.append(ScaleByAdam(beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon,
                                      amsgrad: optimizer.kind == .amsgrad))
        }
        let decoupled = regularization.penalty == .decoupled
        switch regularization.decayConvention {
        case .torch:
            // θ ← θ − α·η_t·(u + λ·θ) = θ·(1 − α·η_t·λ) − α·η_t·u
            if decoupled { stages.append(AddDecoupledDecay(scaledBySchedule: false)) }
            stages.append(ScaleByLearningRate(learningRate))
        case .paper:
            // θ ← θ − η_t·(α·u + λ·θ)
            stages.append(ScaleByLearningRate(learningRate))
            if decoupled { stages.append(AddDecoupledDecay(scaledBySchedule: true)) }
        }
        let projection = regularization.penalty == .normBall ? NormBallProjection(bound: regularization.lambda) : nil
        return UpdateChain(stages: stages, regularizedRanges: regularizedRanges, projection: projection)
    }

    /// A zeroed state for `parameterCount` parameters.
    public func makeState(parameterCount: Int) -> UpdateState {
        UpdateState(parameterCount: parameterCount, stages: stages)
    }
}
