import TensorMath

/// Synthetic data sets whose generating process is known, so results can be checked against it.
///
/// Each ingredient draws from its own stream of `DeterministicRandom(seed:stream:)`, so
/// changing one setting leaves the others' draws alone: the same seed with another `noise`
/// gives the same features and true weights, and more samples keep the first ones.
public enum SyntheticData {
    /// A linear regression problem and its true parameters.
    public struct Regression: Sendable {
        /// Every point, before the split.
        public let rows: Split
        /// w*, one per feature.
        public let weights: [Float]
        /// b*.
        public let bias: Float
    }

    /// y = X·w* + b* + noise·ε.
    ///
    /// X ~ N(0, 1) element-wise (stream "synthetic-regression-features"); w* ~ N(0, 1/d)
    /// (stream "synthetic-regression-weights"), so X·w* has variance ≈ 1 whatever d and
    /// `noise` is the noise-to-signal ratio of standard deviations; then b* = 0.5·N(0, 1)
    /// from the same stream, an offset of the order of the signal that a model must learn
    /// through its bias; ε ~ N(0, 1) (stream "synthetic-regression-noise"). y is summed in
    /// Double from the stored Float X, w* and b*, so with `noise` 0 it is exactly
    /// reproducible from them.
    public static func regression(samples: Int, features: Int, noise: Double, seed: UInt64) -> Regression {
        var weightRandom = DeterministicRandom(seed: seed, stream: "synthetic-regression-weights")
        let scale = 1 / Double(features).squareRoot()
        let weights = (0..<features).map { _ in Float(weightRandom.nextNormal() * scale) }
        let bias = Float(0.5 * weightRandom.nextNormal())
        let x = normalMatrix(count: samples * features, seed: seed, stream: "synthetic-regression-features")
        var noiseRandom = DeterministicRandom(seed: seed, stream: "synthetic-regression-noise")
        var values = [Float](repeating: 0, count: samples)
        for i in 0..<samples {
            var sum = Double(bias)
            for j in 0..<features { sum += Double(x[i * features + j]) * Double(weights[j]) }
            values[i] = Float(sum + noise * noiseRandom.nextNormal())
        }
        return Regression(rows: Split(features: x, values: values), weights: weights, bias: bias)
    }

    /// `classes` Gaussian blobs with balanced labels.
    ///
    /// Centres ~ N(0, 1/d) element-wise (stream "synthetic-classification-centres"), so two
    /// centres are about √2 apart whatever d; point i has label i mod `classes` (counts
    /// differ by at most one) and lies at its centre + noise·N(0, I) (stream
    /// "synthetic-classification-points"). Overlap is therefore set by `noise` alone: the
    /// error of the best rule between two classes is about Φ(−√2 / (2·noise)), ≈ 24 % at
    /// noise 1, 8 % at 0.5 and nil at 0.1.
    public static func classification(samples: Int, features: Int, classes: Int, noise: Double, seed: UInt64) -> Split {
        let centres = normalMatrix(count: classes * features, seed: seed, stream: "synthetic-classification-centres",
                                   scale: 1 / Double(features).squareRoot())
        var random = DeterministicRandom(seed: seed, stream: "synthetic-classification-points")
        var points = [Float](repeating: 0, count: samples * features)
        var labels = [Int32](repeating: 0, count: samples)
        for i in 0..<samples {
            let label = i % classes
            labels[i] = Int32(label)
            for j in 0..<features {
                points[i * features + j] = Float(Double(centres[label * features + j]) + noise * random.nextNormal())
            }
        }
        return Split(features: points, labels: labels)
    }

    private static func normalMatrix(count: Int, seed: UInt64, stream: String, scale: Double = 1) -> [Float] {
        var random = DeterministicRandom(seed: seed, stream: stream)
        return (0..<count).map { _ in Float(random.nextNormal() * scale) }
    }
}
