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
        let u = block.update, b = block.state(0), momentum = self.momentum
        if firstStep {
            // PyTorch starts the buffer at the first gradient, not at μ·0 + g: the same value.
            for i in 0..<u.count { b[i] = u[i] }
        } else {
            for i in 0..<u.count { b[i] = b[i] * momentum + u[i] }
        }
        if nesterov {
            for i in 0..<u.count { u[i] += momentum * b[i] }
        } else {
            for i in 0..<u.count { u[i] = b[i] }
        }
    }
}
