/// u ← u + λ·sign(w) on the regularized parameters, sign(0) = 0: a subgradient of the
/// penalty λ·‖w‖₁ (coupled).
public struct AddL1Subgradient: UpdateStage {
    public init() {}

    public func constants(at step: UpdateStep) -> Float { Float(step.lambda) }

    public func update(_ block: UpdateBlock, _ lambda: Float) {
        guard block.isRegularized else { return }
        // u ← u + λ · sign(θ), sign(0) = 0
        block.loops.addScaledSign(block.update.baseAddress!, block.parameters.baseAddress!, lambda: lambda, count: block.count)
    }
}
