/// u ← u + λ_t·w on the regularized parameters: decay decoupled from the gradient.
///
/// With `scaledBySchedule` the term is multiplied by η_t (paper convention, placed after the
/// learning rate); otherwise it is scaled by whatever follows (PyTorch).
public struct AddDecoupledDecay: UpdateStage {
    public let scaledBySchedule: Bool

    public init(scaledBySchedule: Bool) {
        self.scaledBySchedule = scaledBySchedule
    }

    /// The coefficient of w: η_t·λ_t or λ_t.
    public func constants(at step: UpdateStep) -> Float {
        Float(scaledBySchedule ? step.multiplier * step.lambda : step.lambda)
    }

    public func update(_ block: UpdateBlock, _ coefficient: Float) {
        guard block.isRegularized else { return }
        // u ← u + coefficient · θ
        block.loops.addScaled(block.update.baseAddress!, block.parameters.baseAddress!, scale: coefficient, count: block.count)
    }
}
