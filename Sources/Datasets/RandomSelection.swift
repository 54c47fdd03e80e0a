import TensorMath

/// Random choices of points: the train/test hold-out and subsets, as sorted index lists.
///
/// Chosen indices come back in ascending order, so a subset is a set of points rather than
/// an order: the batch order alone decides the order of training.
public enum RandomSelection {
    /// `size` distinct indices of 0..<count, drawn with `DeterministicRandom(seed:stream:)`.
    /// - Precondition: 0 ≤ size ≤ count.
    public static func subset(of count: Int, size: Int, seed: UInt64, stream: String) -> [Int] {
        precondition(size >= 0 && size <= count, "subset of \(size) from \(count) points")
        var random = DeterministicRandom(seed: seed, stream: stream)
        return random.permutation(of: count).prefix(size).sorted()
    }

    /// Splits 0..<count into a kept and a held-out part, `testCount` points held out,
    /// drawn with `DeterministicRandom(seed: seed, stream: stream)` ("split" for the test
    /// hold-out, "validation" for the validation hold-out).
    /// - Precondition: 0 ≤ testCount ≤ count.
    public static func holdOut(count: Int, testCount: Int, seed: UInt64, stream: String = "split") -> (train: [Int], test: [Int]) {
        precondition(testCount >= 0 && testCount <= count, "holding out \(testCount) of \(count) points")
        var random = DeterministicRandom(seed: seed, stream: stream)
        let order = random.permutation(of: count)
        return (order[testCount...].sorted(), order[..<testCount].sorted())
    }

    /// Points held out for a test fraction: `fraction · count` rounded to the nearest integer,
    /// kept within 0...count (a fraction outside [0, 1] or NaN is refused where it is read;
    /// this only must not trap before that check has spoken).
    public static func testCount(of count: Int, fraction: Double) -> Int {
        let held = (Double(count) * fraction).rounded()
        guard !held.isNaN else { return 0 }
        return Int(min(max(held, 0), Double(max(count, 0))))
    }
}
