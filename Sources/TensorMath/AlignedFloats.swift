/// Floats that start on a cache line (64 bytes), with an array's value semantics (copy on write).
///
/// For the buffers the vector loops and OpenBLAS stream: a run's parameters, gradient and
/// optimizer state, the shuffled batch copy, the layers' activations and deltas, and the
/// single-layer kernel's scaled rows. A Swift array's elements start 32 bytes into a block that
/// malloc aligns to 16 only, so they began 0, 16, 32 or 48 bytes into a line as the heap
/// happened to fall, and where it was 16 or 48 every other load or store of eight floats
/// straddled two lines. It did for the gradient of Fashion-MNIST logistic regression, whose ∂W
/// is loaded and stored for every block of four rows: an epoch took 0.0718 s of CPU time
/// against 0.0628 s with the buffers on lines (medians of 10 alternated rounds; the same bits).
/// Here eight floats at an index that is a multiple of eight never straddle a line.
public struct AlignedFloats: Equatable, @unchecked Sendable {
    /// Bytes: an x86-64 cache line, and a whole AVX-512 vector.
    public static let alignment = 64

    /// `count` floats rounded up to whole cache lines: the distance at which the next of several
    /// buffers laid out back to back in one `AlignedFloats` starts on a line too.
    public static func wholeLines(_ count: Int) -> Int {
        let floatsPerLine = alignment / MemoryLayout<Float>.stride
        return (count + floatsPerLine - 1) / floatsPerLine * floatsPerLine
    }

    // @unchecked Sendable: the storage is written only through `withUnsafeMutableBufferPointer`,
    // which first copies it unless this value is its only owner, as an array does.
    private final class Storage {
        let base: UnsafeMutablePointer<Float>
        let count: Int

        init(count: Int) {
            precondition(count >= 0, "\(count) floats")
            self.count = count
            base = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride,
                                                    alignment: AlignedFloats.alignment)
                .bindMemory(to: Float.self, capacity: max(1, count))
        }

        func copy() -> Storage {
            let copy = Storage(count: count)
            copy.base.initialize(from: base, count: count)
            return copy
        }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    private var storage: Storage

    public init(repeating value: Float, count: Int) {
        storage = Storage(count: count)
        storage.base.initialize(repeating: value, count: count)
    }

    public init(_ values: [Float]) {
        storage = Storage(count: values.count)
        values.withUnsafeBufferPointer { storage.base.initialize(from: $0.baseAddress!, count: $0.count) }
    }

    public var count: Int { storage.count }

    /// The values as an array (a copy).
    public var array: [Float] { withUnsafeBufferPointer { Array($0) } }

    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// Value for value, as arrays compare (NaN differs from itself, −0 equals +0).
    public static func == (lhs: AlignedFloats, rhs: AlignedFloats) -> Bool {
        lhs.withUnsafeBufferPointer { left in rhs.withUnsafeBufferPointer { right in left.elementsEqual(right) } }
    }
}
