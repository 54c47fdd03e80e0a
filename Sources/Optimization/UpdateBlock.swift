/// A contiguous run of parameters on which a stage acts: u, θ and the stage's own state there.
///
/// Either every parameter of a block is regularized or none is (the chain cuts blocks at the
/// mask's edges), so penalties and decay test `isRegularized` once per block.
public struct UpdateBlock {
    /// u, the running update, on this block.
    public let update: UnsafeMutableBufferPointer<Float>
    /// θ on this block, as it was before the step.
    public let parameters: UnsafeBufferPointer<Float>
    /// Whether penalties, decay and constraints act on these parameters.
    public let isRegularized: Bool
    /// The stage's first state vector at this block's first parameter; the next vectors
    /// follow at multiples of `stateStride`.
    let stateStart: UnsafeMutablePointer<Float>?
    let stateStride: Int
    /// The element-wise loops to run the stage's rule with (one build or the other: the same bits).
    let loops: any ElementwiseUpdateLoops.Type

    /// Parameters in the block.
    public var count: Int { update.count }

    /// The stage's state vector number `index` (as named in `stateVectors`) on this block.
    public func state(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
        guard let stateStart else { preconditionFailure("this stage declared no state vectors") }
        return UnsafeMutableBufferPointer(start: stateStart + index * stateStride, count: update.count)
    }
}
