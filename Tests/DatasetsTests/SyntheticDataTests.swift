import Datasets
import XCTest

final class SyntheticDataTests: XCTestCase {
    func testRegressionIsAPureFunctionOfTheSeed() {
        let a = SyntheticData.regression(samples: 50, features: 7, noise: 0.3, seed: 11)
        let b = SyntheticData.regression(samples: 50, features: 7, noise: 0.3, seed: 11)
        let c = SyntheticData.regression(samples: 50, features: 7, noise: 0.3, seed: 12)
        XCTAssertEqual(a.rows.features, b.rows.features)
        XCTAssertEqual(a.rows.values, b.rows.values)
        XCTAssertEqual(a.weights, b.weights)
        XCTAssertEqual(a.bias, b.bias)
        XCTAssertNotEqual(a.rows.features, c.rows.features)
        XCTAssertNotEqual(a.weights, c.weights)
    }

    func testRegressionWithoutNoiseIsExactlyLinear() {
        let (n, d) = (40, 9)
        let problem = SyntheticData.regression(samples: n, features: d, noise: 0, seed: 3)
        XCTAssertNotEqual(problem.bias, 0)
        for i in 0..<n {
            var expected = Double(problem.bias)
            for j in 0..<d { expected += Double(problem.rows.features[i * d + j]) * Double(problem.weights[j]) }
            // One Float rounding of the Double sum: half an ulp of the result.
            XCTAssertEqual(Double(problem.rows.values[i]), expected, accuracy: abs(expected) * 0x1p-24 + 1e-12, "row \(i)")
        }
    }

    func testNoiseChangesOnlyTheTargets() {
        let quiet = SyntheticData.regression(samples: 30, features: 4, noise: 0, seed: 5)
        let noisy = SyntheticData.regression(samples: 30, features: 4, noise: 0.5, seed: 5)
        XCTAssertEqual(quiet.rows.features, noisy.rows.features)
        XCTAssertEqual(quiet.weights, noisy.weights)
        XCTAssertNotEqual(quiet.rows.values, noisy.rows.values)
    }

    func testClassificationIsDeterministicAndBalanced() {
        let a = SyntheticData.classification(samples: 103, features: 5, classes: 4, noise: 0.5, seed: 1)
        let b = SyntheticData.classification(samples: 103, features: 5, classes: 4, noise: 0.5, seed: 1)
        let c = SyntheticData.classification(samples: 103, features: 5, classes: 4, noise: 0.5, seed: 2)
        XCTAssertEqual(a.features, b.features)
        XCTAssertEqual(a.labels, b.labels)
        XCTAssertNotEqual(a.features, c.features)
        let counts = (0..<4).map { label in a.labels.filter { $0 == label }.count }
        XCTAssertEqual(counts, [26, 26, 26, 25])
    }

    func testClassificationPointsClusterAroundTheirCentres() {
        // With little noise, each point is nearer its own class mean than any other.
        let (n, d, k) = (200, 10, 3)
        let split = SyntheticData.classification(samples: n, features: d, classes: k, noise: 0.05, seed: 9)
        var means = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
        for i in 0..<n { for j in 0..<d { means[Int(split.labels[i])][j] += Double(split.features[i * d + j]) / Double(n / k) } }
        for i in 0..<n {
            let distances = means.map { mean in (0..<d).reduce(0.0) { $0 + pow(Double(split.features[i * d + $1]) - mean[$1], 2) } }
            XCTAssertEqual(distances.firstIndex(of: distances.min()!), Int(split.labels[i]), "point \(i)")
        }
    }
}
