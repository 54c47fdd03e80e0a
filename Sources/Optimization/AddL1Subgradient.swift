/// u ← u + λ·sign(w) on the regularized parameters, sign(0) = 0: a subgradient of the
/// penalty λ·‖w‖₁ (coupled).
public struct AddL1Subgradient: UpdateStage {
    public init() {}

    public func constants(at step: UpdateStep) -> Float { Float(step.lambda) }

    public func update(_ block: UpdateBlock, _ lambda: Float) {
        guard block.isRegularized else { return }
        let u = block.update, w = block.parameters
        for i in 0..<u.count {
            u[i] += w[i] > 0 ? lambda : (w[i] < 0 ? -lambda : 0)
        }
    }
}
