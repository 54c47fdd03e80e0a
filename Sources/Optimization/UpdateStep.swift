/// What a stage may know about the step being taken.
public struct UpdateStep: Sendable {
    /// t, the number of steps including this one (1 on the first step).
    public let count: Int
    /// η_t, the schedule multiplier.
    public let multiplier: Double
    /// λ_t, the penalty or decay coefficient (constant unless normalized).
    public let lambda: Double
}
