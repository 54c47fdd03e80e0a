import TensorMath

/// The order in which a run visits its training points: one permutation per epoch, cut
/// into minibatches.
///
/// Epoch e's order is a pure function of the seed and e — drawn from
/// `DeterministicRandom(seed: seed, stream: "shuffle-epoch-e")` — so a resumed run can
/// compute any epoch without replaying the ones before. Full-batch training visits the
/// points in their stored order in one step. Epochs count from 0.
public struct BatchOrder: Sendable, Hashable {
    /// Training points.
    public let count: Int
    /// Points per minibatch; `nil` for full batch.
    public let batchSize: Int?
    /// Seed of the per-epoch shuffles (the run's stream seed).
    public let seed: UInt64

    /// - Parameters:
    ///   - count: training points, ≥ 0.
    ///   - batchSize: points per minibatch, ≥ 1; `nil` for one full batch per epoch. A batch
    ///     size of `count` or more still shuffles, in a single step.
    ///   - seed: any value; 0 is a seed like any other.
    public init(count: Int, batchSize: Int?, seed: UInt64) {
        precondition(count >= 0, "BatchOrder: count \(count) is negative")
        precondition(batchSize.map { $0 >= 1 } ?? true, "BatchOrder: batch size \(batchSize!) is not positive")
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Points per step: the batch size, or all points for full batch.
    public var effectiveBatchSize: Int { batchSize ?? count }

    /// Steps per epoch: ⌈count / batchSize⌉; the last batch may be smaller.
    public var stepsPerEpoch: Int {
        let size = effectiveBatchSize
        return size == 0 ? 0 : (count + size - 1) / size
    }

    /// The epoch's permutation of 0..<count (the identity for full batch).
    public func indices(epoch: Int) -> [Int] {
        guard batchSize != nil else { return Array(0..<count) }
        var random = DeterministicRandom(seed: seed, stream: "shuffle-epoch-\(epoch)")
        return random.permutation(of: count)
    }

    /// Positions of step `step`'s points within the epoch's permutation.
    public func positions(step: Int) -> Range<Int> {
        precondition(step >= 0 && step < stepsPerEpoch, "step \(step) outside 0..<\(stepsPerEpoch)")
        let start = step * effectiveBatchSize
        return start..<min(start + effectiveBatchSize, count)
    }

    /// The epoch's batches; each is a slice of one shared permutation, so iterating
    /// allocates nothing per batch.
    public func batches(epoch: Int) -> Epoch {
        Epoch(order: self, permutation: indices(epoch: epoch))
    }

    /// The minibatches of one epoch, in order, as slices of the epoch's permutation.
    public struct Epoch: RandomAccessCollection, Sendable {
        public let order: BatchOrder
        /// The whole epoch's permutation.
        public let permutation: [Int]

        public var startIndex: Int { 0 }
        public var endIndex: Int { order.stepsPerEpoch }

        /// The point indices of step `step`.
        public subscript(step: Int) -> ArraySlice<Int> {
            permutation[order.positions(step: step)]
        }
    }
}
