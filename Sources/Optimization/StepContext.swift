/// What one step needs to know beyond the gradient.
public struct StepContext: Sendable {
    /// η_t, the schedule multiplier for this step.
    public var multiplier: Double
    /// λ_t, the penalty or decay coefficient for this step (constant unless normalized).
    public var lambda: Double

    public init(multiplier: Double, lambda: Double) {
        self.multiplier = multiplier
        self.lambda = lambda
    }
}
