/// Vector loads and stores at any alignment, for the kernels' explicit SIMD loops.
///
/// Inlinable, so that a module built for a wider instruction set (LinearKernelsAVX2) compiles
/// them with its own instructions.
extension SIMD where Scalar == Float {
    /// The `scalarCount` floats starting at `pointer`.
    @inlinable @inline(__always)
    public init(unalignedAt pointer: UnsafePointer<Float>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    /// Writes the vector's floats from `pointer` on.
    @inlinable @inline(__always)
    public func store(unalignedAt pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }
}
