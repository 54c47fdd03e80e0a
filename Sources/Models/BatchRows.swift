/// The rows of one batch, read where they lie in their matrix: a run of consecutive rows, or
/// rows chosen by index (a shuffled minibatch), never copied.
public struct BatchRows {
    /// The whole row-major matrix the rows come from.
    public let matrix: UnsafeBufferPointer<Float>
    /// Values per row.
    public let width: Int
    /// Rows in the batch.
    public let count: Int
    /// The pixel bytes whose `Float(byte) / 255` are `matrix`, value for value, when the data set
    /// has them (`Split.pixelBytes`): the single-layer kernel then reads a quarter of the bytes and scales them itself.
    public let pixelBytes: UnsafeBufferPointer<UInt8>?
    private let first: Int
    private let indices: UnsafeBufferPointer<Int>?

    /// Rows `first ..< first + count` of `matrix`.
    /// - Parameters:
    ///   - pixelBytes: nil, or as many bytes as `matrix` has values, `matrix[i] == Float(pixelBytes[i]) / 255`.
    public init(consecutiveIn matrix: UnsafeBufferPointer<Float>, pixelBytes: UnsafeBufferPointer<UInt8>? = nil,
                width: Int, first: Int, count: Int) {
        precondition(width > 0 && first >= 0 && count >= 0, "rows \(first)..<\(first + count) of width \(width)")
        precondition((first + count) * width <= matrix.count,
                     "rows \(first)..<\(first + count) lie outside a matrix of \(matrix.count / width) rows")
        precondition(pixelBytes == nil || pixelBytes!.count == matrix.count, "pixel bytes do not match the matrix")
        self.matrix = matrix
        self.pixelBytes = pixelBytes
        self.width = width
        self.count = count
        self.first = first
        self.indices = nil
    }

    /// The rows of `matrix` at `indices`, in that order.
    /// - Parameters:
    ///   - pixelBytes: nil, or as many bytes as `matrix` has values, `matrix[i] == Float(pixelBytes[i]) / 255`.
    public init(selectedFrom matrix: UnsafeBufferPointer<Float>, pixelBytes: UnsafeBufferPointer<UInt8>? = nil,
                width: Int, indices: UnsafeBufferPointer<Int>) {
        precondition(width > 0, "rows of width \(width)")
        let available = matrix.count / width
        for index in indices {
            precondition(index >= 0 && index < available, "row \(index) outside 0..<\(available)")
        }
        precondition(pixelBytes == nil || pixelBytes!.count == matrix.count, "pixel bytes do not match the matrix")
        self.matrix = matrix
        self.pixelBytes = pixelBytes
        self.width = width
        self.count = indices.count
        self.first = 0
        self.indices = indices
    }

    /// The first value of the batch's row `k`.
    @inline(__always)
    func row(_ k: Int) -> UnsafePointer<Float> {
        matrix.baseAddress! + storedRow(k) * width
    }

    /// The first pixel byte of the batch's row `k`.
    /// - Precondition: the rows have pixel bytes.
    @inline(__always)
    func pixelRow(_ k: Int) -> UnsafePointer<UInt8> {
        pixelBytes!.baseAddress! + storedRow(k) * width
    }

    @inline(__always)
    private func storedRow(_ k: Int) -> Int {
        indices.map { $0[k] } ?? (first + k)
    }
}
