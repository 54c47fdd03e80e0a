/// The chains that run as one loop per block instead of one loop per stage: Adam alone, Adam
/// after an L2 gradient (Adam+L2), and Adam with decoupled decay before or after the learning
/// rate (AdamW in PyTorch's and in the paper's convention), each with or without the norm ball.
///
/// The chain stays the description of the rule and the stage-by-stage path stays its reference:
/// `UpdateLoops.fusedAdam` applies the same operations in the same order to every element, and
/// `UpdateChainBitPatternTests` checks both paths against bits recorded before this one existed.
struct FusedAdamChain: Sendable {
    let l2Stage: Int?
    let adamStage: Int
    let decayBeforeRateStage: Int?
    let rateStage: Int
    let decayAfterRateStage: Int?

    /// The positions of the stages, or nil for a chain of another shape (SGD, AMSGrad, L1, …).
    init?(stages: [any UpdateStage]) {
        var next = 0
        func take<Stage: UpdateStage>(_ type: Stage.Type) -> Int? {
            guard next < stages.count, stages[next] is Stage else { return nil }
            next += 1
            return next - 1
        }
        l2Stage = take(AddL2Gradient.self)
        guard next < stages.count, let adam = stages[next] as? ScaleByAdam, !adam.amsgrad else { return nil }
        adamStage = next
        next += 1
        decayBeforeRateStage = take(AddDecoupledDecay.self)
        guard let rate = take(ScaleByLearningRate.self) else { return nil }
        rateStage = rate
        decayAfterRateStage = take(AddDecoupledDecay.self)
        guard next == stages.count, [l2Stage, decayBeforeRateStage, decayAfterRateStage].compactMap({ $0 }).count <= 1 else {
            return nil
        }
    }

    /// One step on one block, with the constants the stages stored in their slots.
    func update(
        update u: UnsafeMutablePointer<Float>, parameters theta: UnsafeMutablePointer<Float>, count: Int,
        isRegularized: Bool, adamState: UnsafeMutablePointer<Float>, stateStride: Int,
        constants slots: UnsafeRawPointer, loops: any ElementwiseUpdateLoops.Type, clearingUpdate: Bool
    ) {
        func slot(_ stage: Int) -> UnsafeRawPointer { slots + stage * UpdateChain.constantsSlotSize }
        // A penalty or decay acts on regularized blocks only, as the stages do.
        func coefficient(_ stage: Int?) -> Float? {
            guard isRegularized, let stage else { return nil }
            return slot(stage).load(as: Float.self)
        }
        let adam = slot(adamStage).load(as: ScaleByAdam.Constants.self)
        loops.fusedAdam(
            u, parameters: theta, firstMoment: adamState, secondMoment: adamState + stateStride,
            l2: coefficient(l2Stage), oneMinusBeta1: adam.oneMinusBeta1, beta2: adam.beta2, oneMinusBeta2: adam.oneMinusBeta2,
            correction2Root: adam.correction2Root, epsilon: adam.epsilon, inverseCorrection1: adam.inverseCorrection1,
            decayBeforeRate: coefficient(decayBeforeRateStage), rate: slot(rateStage).load(as: Float.self),
            decayAfterRate: coefficient(decayAfterRateStage), clearingUpdate: clearingUpdate, count: count)
    }
}
