/// u ← α·η_t·u.
public struct ScaleByLearningRate: UpdateStage {
    /// α, the base rate.
    public let rate: Double

    public init(_ rate: Double) {
        self.rate = rate
    }

    public func constants(at step: UpdateStep) -> Float { Float(rate * step.multiplier) }

    public func update(_ block: UpdateBlock, _ scale: Float) {
        let u = block.update
        for i in 0..<u.count { u[i] *= scale }
    }
}
