/// Per-feature standardisation with training statistics: x ← (x − mean) / std.
///
/// The statistics come from the training split only and are applied to both splits, so
/// nothing about the test points leaks into training. The std is the population one
/// (divided by n), so the training features end with std exactly 1 in that sense.
/// A feature that is constant in training (std 0, such as a border pixel that is always
/// 0) is only centred: its divisor is 1.
public struct Standardizer: Sendable {
    /// Training mean of each feature.
    public let means: [Float]
    /// Divisor of each feature: its training std, or 1 where that std is 0.
    public let scales: [Float]

    /// Computes the statistics of `split` (accumulated in Double: 60000 rows of Float
    /// would otherwise lose digits).
    /// - Precondition: `split.features.count == split.count · featureCount`.
    public init(fitting split: Split, featureCount: Int) {
        precondition(split.features.count == split.count * featureCount)
        var sums = [Double](repeating: 0, count: featureCount)
        var squares = [Double](repeating: 0, count: featureCount)
        split.features.withUnsafeBufferPointer { x in
            for i in 0..<split.count {
                for j in 0..<featureCount { sums[j] += Double(x[i * featureCount + j]) }
            }
            let n = Double(max(split.count, 1))
            for j in 0..<featureCount { sums[j] /= n }
            // Second pass about the mean: the one-pass formula cancels badly when mean ≫ std.
            for i in 0..<split.count {
                for j in 0..<featureCount {
                    let d = Double(x[i * featureCount + j]) - sums[j]
                    squares[j] += d * d
                }
            }
            for j in 0..<featureCount { squares[j] = (squares[j] / n).squareRoot() }
        }
        means = sums.map { Float($0) }
        scales = squares.map { Float($0) > 0 ? Float($0) : 1 }
    }

    /// `split` with every feature standardised.
    public func apply(to split: Split) -> Split {
        let featureCount = means.count
        precondition(split.features.count == split.count * featureCount)
        var output = split.features
        output.withUnsafeMutableBufferPointer { x in
            for i in 0..<split.count {
                for j in 0..<featureCount {
                    x[i * featureCount + j] = (x[i * featureCount + j] - means[j]) / scales[j]
                }
            }
        }
        return split.replacingFeatures(output)
    }
}
