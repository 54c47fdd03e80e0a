/// The constraint ‖w‖² ≤ bound: after a step, the regularized parameters are scaled back onto
/// the ball when they left it.
public struct NormBallProjection: Hashable, Sendable {
    /// The bound on ‖w‖² (the penalty's λ).
    public let bound: Double

    public init(bound: Double) {
        self.bound = bound
    }

    /// Projects `parameters` restricted to `ranges`, summing ‖w‖² in Double in the order of `ranges`.
    func project(_ parameters: UnsafeMutableBufferPointer<Float>, ranges: [Range<Int>]) {
        var squaredNorm = 0.0
        for range in ranges {
            for i in range { squaredNorm += Double(parameters[i]) * Double(parameters[i]) }
        }
        guard squaredNorm > bound else { return }
        let scale = Float((bound / squaredNorm).squareRoot())
        for range in ranges {
            for i in range { parameters[i] *= scale }
        }
    }
}
