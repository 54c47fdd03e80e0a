import CCPUFeatures

/// Rows of a matrix that a later step will read, asked into the caches a share at a time while
/// the update chain runs.
///
/// A shuffled batch's rows lie anywhere in a data set larger than the caches, and copying them
/// waited on memory, one row's latency after another. Asked for while the update chain runs (a
/// few after each block, spread over the chain so that the requests do not queue up), their
/// latency overlaps the chain's own work: MLP epochs on Fashion-MNIST took 1.214–1.229 s
/// against 1.231–1.248 s with the same copy and no prefetch (results/bench/README.md). A prefetch is a
/// hint: it never faults and never changes a value, and a row it did not bring in is read from
/// memory as before.
public struct RowPrefetch {
    /// The matrix's first byte.
    public let base: UnsafeRawPointer
    /// Bytes per row of the matrix.
    public let rowBytes: Int
    /// The rows to ask for, in the order they will be read.
    public let rows: UnsafeBufferPointer<Int>

    public init(base: UnsafeRawPointer, rowBytes: Int, rows: UnsafeBufferPointer<Int>) {
        precondition(rowBytes >= 0, "rows of \(rowBytes) bytes")
        self.base = base
        self.rowBytes = rowBytes
        self.rows = rows
    }

    /// How many of the rows are due once `done` of `count` parameters are updated: the same
    /// share, all of them at the end (computed without overflow for any sizes).
    func rowsDue(afterParameters done: Int, of count: Int) -> Int {
        precondition(done >= 0 && done <= count && count > 0, "\(done) of \(count) parameters")
        return count.dividingFullWidth(rows.count.multipliedFullWidth(by: done)).quotient
    }

    /// Bytes per cache line on x86-64 (were lines shorter, some would only go unasked).
    static let lineBytes = 64

    /// Asks for every cache line of `rows[range]`.
    @inline(__always)
    func request(_ range: Range<Int>) {
        for index in range {
            let start = base + rows[index] &* rowBytes
            var offset = 0
            while offset < rowBytes {
                ccpufeatures_prefetch(start + offset)
                offset &+= Self.lineBytes
            }
        }
    }
}
