import Foundation
import TensorMath

extension Split {
    /// The features as pixel bytes when every feature is `Float(byte) / 255` for some byte
    /// (MNIST and Fashion-MNIST as read, or any data of that form): then
    /// `features[i] == Float(pixelBytes[i]) / 255` to the bit for every i. Otherwise nil.
    ///
    /// The single-layer kernel reads these instead of the features: a quarter of the memory
    /// traffic, the same floats once scaled. They are derived from the features themselves on
    /// first use and kept with the split (its copies and every run of a grid share them), so they
    /// can never disagree with the features, whatever made them (subsets, the validation carve,
    /// standardisation), and a process that trains no single-layer model never pays for them.
    public var pixelBytes: [UInt8]? { pixelBytesCache.bytes(of: features) }
}

/// A split's pixel bytes, derived at most once, by whichever thread asks first.
final class PixelBytesCache: @unchecked Sendable {
    private let lock = NSLock()
    /// nil until derived; then the bytes, or nil when the features are not bytes / 255.
    private var derived: [UInt8]??

    func bytes(of features: [Float]) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        if let derived { return derived }
        let bytes = Self.derive(from: features)
        derived = .some(bytes)
        return bytes
    }

    /// Values checked at a time.
    private static let chunkSize = 4096

    /// The bytes b with `features[i] == Float(b[i]) / 255` bit for bit, or nil when a feature is
    /// not of that form (the first chunk usually says so: other data costs almost nothing).
    static func derive(from features: [Float]) -> [UInt8]? {
        var rescaled = [Float](repeating: 0, count: chunkSize)
        var allBytes = true
        // Filled chunk by chunk, never cleared first: data that is not bytes stops at its first
        // chunk without having touched the rest.
        let bytes = features.withUnsafeBufferPointer { features in
            rescaled.withUnsafeMutableBufferPointer { rescaled in
                [UInt8](unsafeUninitializedCapacity: features.count) { bytes, initialized in
                    var start = 0
                    while start < features.count {
                        let count = min(chunkSize, features.count - start)
                        nearestBytes(features.baseAddress! + start, count: count, into: bytes.baseAddress! + start)
                        // Compared as bits, so -0.0 (not a byte / 255) is rejected too.
                        PixelScaling.scale(bytes.baseAddress! + start, count: count, into: rescaled.baseAddress!)
                        if memcmp(rescaled.baseAddress!, features.baseAddress! + start, count * MemoryLayout<Float>.stride) != 0 {
                            allBytes = false
                            break
                        }
                        start += count
                    }
                    initialized = allBytes ? features.count : 0
                }
            }
        }
        return allBytes ? bytes : nil
    }

    /// The nearest byte to 255 · x for each x, eight at a time. NaN and values outside [0, 255]
    /// are clamped only so that the conversion is defined: the caller's comparison rejects them.
    private static func nearestBytes(_ x: UnsafePointer<Float>, count: Int, into bytes: UnsafeMutablePointer<UInt8>) {
        typealias Lanes = SIMD8<Float>
        let vectorEnd = count - count % Lanes.scalarCount
        var i = 0
        while i < vectorEnd {
            let scaled = Lanes(unalignedAt: x + i) * 255
            // NaN fails `>= 0` too. (Comparisons, not clamped(): that calls pointwiseMin/Max, not inlined.)
            let nonNegative = scaled.replacing(with: 0, where: .!(scaled .>= 0))
            let defined = nonNegative.replacing(with: 255, where: nonNegative .> 255)
            // Adding 2²³ rounds to the nearest integer and leaves it in the low bits of the
            // significand (exact for 0...255): no float-to-integer conversion, which Swift checks lane by lane.
            let nearest = unsafeBitCast(defined + 0x1p23, to: SIMD8<UInt32>.self) &- (0x1p23 as Float).bitPattern
            UnsafeMutableRawPointer(bytes + i).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: nearest), as: SIMD8<UInt8>.self)
            i += Lanes.scalarCount
        }
        while i < count {
            let scaled = x[i] * 255
            bytes[i] = UInt8(scaled.isNaN ? 0 : min(max(scaled, 0), 255).rounded())
            i += 1
        }
    }
}
