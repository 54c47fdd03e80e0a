/// Element-wise kernels over contiguous Float32 buffers.
///
/// They take buffer pointers rather than arrays so that callers can work in place on
/// preallocated storage without copy-on-write checks or allocation per batch.
public enum Kernels {
    /// Σ x[i]² accumulated in Double, so norms of large vectors keep their digits.
    @inlinable
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double {
        var sum = 0.0
        for value in x { sum += Double(value) * Double(value) }
        return sum
    }

    /// Whether every element is finite.
    @inlinable
    public static func allFinite(_ x: UnsafeBufferPointer<Float>) -> Bool {
        for value in x where !value.isFinite { return false }
        return true
    }
}
