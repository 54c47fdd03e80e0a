import TensorMath

// Stand-in until the data module's own BatchOrder lands; same contract.
public struct BatchOrder: Sendable {
    public let count: Int
    public let batchSize: Int
    public let seed: UInt64
    public init(count: Int, batchSize: Int?, seed: UInt64) {
        self.count = count
        self.batchSize = min(batchSize ?? count, count)
        self.seed = seed
    }
    public var stepsPerEpoch: Int { (count + batchSize - 1) / batchSize }
    public func indices(epoch: Int) -> [Int] {
        if batchSize == count { return Array(0..<count) }
        var random = DeterministicRandom(seed: seed, stream: "shuffle-epoch-\(epoch)")
        return random.permutation(of: count)
    }
}
