/// u ← α·η_t·u.
public struct ScaleByLearningRate: UpdateStage {
    /// α, the base rate.
    public let rate: Double

    public init(_ rate: Double) {
        self.rate = rate
    }

    public func constants(at step: UpdateStep) -> Float { Float(rate * step.multiplier) }

    public func update(_ block: UpdateBlock, _ scale: Float) {
        // u ← scale · u
        block.loops.scale(block.update.baseAddress!, by: scale, count: block.count)
    }
}
