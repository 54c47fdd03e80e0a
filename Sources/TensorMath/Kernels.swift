import Foundation

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

/// The activation kernels of a dense layer, written so the compiler vectorises them: each
/// element is a select, never a branch around a store.
extension Kernels {
    /// The rectifier in place: x ≤ 0 becomes 0; positive values and NaN stay as they are.
    ///
    /// NaN must survive: `max(0, x)` or `x > 0 ? x : 0` turns a NaN unit into 0 and the
    /// run trains on without ever seeing a non-finite loss.
    public static func rectify(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let vectorEnd = count - count % Lanes.scalarCount
        var i = 0
        while i < vectorEnd {
            let x = Lanes(unalignedAt: values + i)
            x.replacing(with: 0, where: x .<= 0).store(unalignedAt: values + i)
            i += Lanes.scalarCount
        }
        while i < count {
            let x = values[i]
            values[i] = x <= 0 ? 0 : x
            i += 1
        }
    }

    /// Multiplies `delta` by the rectifier's derivative, read from its output: 0 where the
    /// output is ≤ 0, 1 elsewhere (NaN outputs keep their delta, which the NaN loss discards).
    public static func maskByRectifier(_ delta: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        // Explicit vectors: the compiler cannot rule out that the two buffers overlap, and
        // a scalar branch per element mispredicts on every sign change.
        let vectorEnd = count - count % Lanes.scalarCount
        var i = 0
        while i < vectorEnd {
            Lanes(unalignedAt: delta + i).replacing(with: 0, where: Lanes(unalignedAt: output + i) .<= 0).store(unalignedAt: delta + i)
            i += Lanes.scalarCount
        }
        while i < count {
            delta[i] = output[i] <= 0 ? 0 : delta[i]
            i += 1
        }
    }

    private typealias Lanes = SIMD8<Float>

    /// tanh in place.
    public static func tanh(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { values[i] = Foundation.tanh(values[i]) }
    }

    /// Multiplies `delta` by tanh's derivative, read from its output: 1 − output².
    public static func maskByTanh(_ delta: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { delta[i] *= 1 - output[i] * output[i] }
    }

    /// `sums[j] = Σ_r matrix[r·width + j]`, added row after row (that order fixes the rounding).
    public static func sumRows(_ matrix: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>) {
        sums.update(repeating: 0, count: width)
        for row in 0..<rows {
            let values = matrix + row * width
            for j in 0..<width { sums[j] += values[j] }
        }
    }

    /// Copies `row` into each of the `rows` rows of `matrix` (`rows × row.count`, row-major).
    public static func broadcastRow(_ row: UnsafePointer<Float>, width: Int, rows: Int, into matrix: UnsafeMutablePointer<Float>) {
        for index in 0..<rows { (matrix + index * width).update(from: row, count: width) }
    }
}
