import Datasets
import TensorMath

/// Small data sets built in memory, so these tests need no files.
enum TestData {
    /// y = X·w* + b* + noise·N(0,1) with X ~ N(0, 1).
    static func regression(count: Int, features: Int, noise: Double, seed: UInt64) -> Dataset {
        var random = DeterministicRandom(seed: seed, stream: "test-regression")
        let w = (0..<features).map { _ in random.nextNormal() }
        let x = (0..<(count * features)).map { _ in Float(random.nextNormal()) }
        let y = (0..<count).map { row -> Float in
            var sum = 0.3
            for j in 0..<features { sum += Double(x[row * features + j]) * w[j] }
            return Float(sum + noise * random.nextNormal())
        }
        let empty = Split(features: [], values: [])
        return Dataset(name: "test-regression", featureCount: features, task: .regression,
                       train: Split(features: x, values: y), test: empty)
    }

    /// Three Gaussian blobs in `features` dimensions.
    static func classification(count: Int, features: Int, seed: UInt64) -> Dataset {
        var random = DeterministicRandom(seed: seed, stream: "test-classification")
        let centres = (0..<3).map { _ in (0..<features).map { _ in 2 * random.nextNormal() } }
        var x: [Float] = [], labels: [Int32] = []
        for row in 0..<count {
            let label = row % 3
            labels.append(Int32(label))
            for j in 0..<features { x.append(Float(centres[label][j] + random.nextNormal())) }
        }
        return Dataset(name: "test-classification", featureCount: features, task: .classification(classes: 3),
                       train: Split(features: x, labels: labels), test: Split(features: [], labels: []))
    }
}
