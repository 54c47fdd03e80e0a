/// The rows of one batch, read where they lie in their matrix: a run of consecutive rows, or
/// rows chosen by index (a shuffled minibatch), never copied.
public struct BatchRows {
    /// The whole row-major matrix the rows come from.
    public let matrix: UnsafeBufferPointer<Float>
    /// Values per row.
    public let width: Int
    /// Rows in the batch.
    public let count: Int
    private let first: Int
    private let indices: UnsafeBufferPointer<Int>?

    /// Rows `first ..< first + count` of `matrix`.
    public init(consecutiveIn matrix: UnsafeBufferPointer<Float>, width: Int, first: Int, count: Int) {
        precondition(width > 0 && first >= 0 && count >= 0, "rows \(first)..<\(first + count) of width \(width)")
        precondition((first + count) * width <= matrix.count,
                     "rows \(first)..<\(first + count) lie outside a matrix of \(matrix.count / width) rows")
        self.matrix = matrix
        self.width = width
        self.count = count
        self.first = first
        self.indices = nil
    }

    /// The rows of `matrix` at `indices`, in that order.
    public init(selectedFrom matrix: UnsafeBufferPointer<Float>, width: Int, indices: UnsafeBufferPointer<Int>) {
        precondition(width > 0, "rows of width \(width)")
        let available = matrix.count / width
        for index in indices {
            precondition(index >= 0 && index < available, "row \(index) outside 0..<\(available)")
        }
        self.matrix = matrix
        self.width = width
        self.count = indices.count
        self.first = 0
        self.indices = indices
    }

    /// The first value of the batch's row `k`.
    @inline(__always)
    func row(_ k: Int) -> UnsafePointer<Float> {
        let stored = indices.map { $0[k] } ?? (first + k)
        return matrix.baseAddress! + stored * width
    }
}
