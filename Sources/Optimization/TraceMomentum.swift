/// PyTorch's momentum buffer (dampening 0): b ← μ·b + u (b₁ = u); u ← b, or u ← u + μ·b
/// with Nesterov.
public struct TraceMomentum: UpdateStage {
    public let momentum: Float
    public let nesterov: Bool

    public init(momentum: Float, nesterov: Bool) {
        self.momentum = momentum
        self.nesterov = nesterov
    }

    public var stateVectors: [String] { ["momentum buffer"] }

    /// Whether this is the first step.
    public func constants(at step: UpdateStep) -> Bool { step.count == 1 }

    public func update(_ block: UpdateBlock, _ firstStep: Bool) {
        let u = block.update.baseAddress!, b = block.state(0).baseAddress!, count = block.count
        if firstStep {
            // PyTorch starts the buffer at the first gradient, not at μ·0 + g: the same value.
            b.update(from: u, count: count)
        } else {
            // b ← μ · b + u
            block.loops.traceMomentum(b, u, momentum: momentum, count: count)
        }
        if nesterov {
            // u ← u + μ · b
            block.loops.addScaled(u, b, scale: momentum, count: count)
        } else {
            u.update(from: b, count: count)
        }
    }
}
