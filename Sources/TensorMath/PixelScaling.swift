/// Pixel bytes to the Float32 features `Float(byte) / 255`, without a division: for reading
/// IDX images and for the single-layer kernel, which reads a 784-pixel row as 784 bytes
/// instead of 3,136 and scales it itself.
///
/// With y = byte · 257/2¹⁶ (exact: at most 16 significant bits), byte/255 = y·(1 + 2⁻¹⁶ + 2⁻³² + …),
/// and `y + y · (2⁻¹⁶ + 2⁻³²)` rounds to the same float as `Float(byte) / 255` for every one of
/// the 256 bytes (checked exhaustively by the tests; `y + y · 2⁻¹⁶` alone misses the powers of
/// two). Integer-to-float conversion and the first product are exact, so only the second product
/// and the sum round, the same way in every lane of every vector width.
///
/// Always inlined, so that a module built for a wider instruction set (LinearKernelsAVX2)
/// compiles it with its own instructions: a call would share one copy, built for baseline
/// x86-64, between the modules (it did, and cost 10 % of an epoch). Every width gives the same bits.
public enum PixelScaling {
    /// 257/2¹⁶: turns a byte into y exactly.
    @usableFromInline static var firstFactor: Float { 0x1.01p-8 }
    /// 2⁻¹⁶ + 2⁻³².
    @usableFromInline static var secondFactor: Float { 0x1.0001p-16 }

    /// `output[i] = Float(bytes[i]) / 255` for `i < count`, to the bit.
    @inlinable @inline(__always)
    public static func scale(_ bytes: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<Float>) {
        typealias Lanes = SIMD8<Float>
        let vectorEnd = count - count % Lanes.scalarCount
        let first = Lanes(repeating: firstFactor), second = Lanes(repeating: secondFactor)
        var i = 0
        while i < vectorEnd {
            let pixels = UnsafeRawPointer(bytes + i).loadUnaligned(as: SIMD8<UInt8>.self)
            let y = Lanes(SIMD8<Int32>(truncatingIfNeeded: pixels)) * first
            (y + y * second).store(unalignedAt: output + i)
            i &+= Lanes.scalarCount
        }
        while i < count {
            let y = Float(bytes[i]) * firstFactor
            output[i] = y + y * secondFactor
            i &+= 1
        }
    }
}
