/// u ← u + λ·w on the regularized parameters: the gradient of the penalty (λ/2)·‖w‖² (coupled).
public struct AddL2Gradient: UpdateStage {
    public init() {}

    public func constants(at step: UpdateStep) -> Float { Float(step.lambda) }

    public func update(_ block: UpdateBlock, _ lambda: Float) {
        guard block.isRegularized else { return }
        // u ← u + λ · θ
        block.loops.addScaled(block.update.baseAddress!, block.parameters.baseAddress!, scale: lambda, count: block.count)
    }
}
