import TensorMath

/// Pixel bytes to the Float32 features `Float(byte) / 255` that the data set holds, without a
/// division: a 784-pixel row is read as 784 bytes instead of 3,136, a quarter of the memory
/// traffic of the memory-bound single-layer kernel.
///
/// With y = byte · 257/2¹⁶ (exact: at most 16 significant bits), byte/255 = y·(1 + 2⁻¹⁶ + 2⁻³² + …),
/// and `y + y · (2⁻¹⁶ + 2⁻³²)` rounds to the same float as `Float(byte) / 255` for every one of
/// the 256 bytes (checked exhaustively by the tests; `y + y · 2⁻¹⁶` alone misses the powers of
/// two). Integer-to-float conversion and the first product are exact, so only the second product
/// and the sum round, the same way in every lane of every vector width.
///
/// This file is compiled twice, like `SingleLayerKernel.swift` (a symbolic link in `LinearKernelsAVX2`).
public enum PixelScaling {
    /// 257/2¹⁶: turns a byte into y exactly.
    static let firstFactor: Float = 0x1.01p-8
    /// 2⁻¹⁶ + 2⁻³².
    static let secondFactor: Float = 0x1.0001p-16

    /// `output[i] = Float(bytes[i]) / 255` for `i < count`, to the bit.
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
