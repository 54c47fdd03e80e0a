import Datasets
import XCTest

final class DatasetLoaderTests: XCTestCase {
    func testHoldOutSizesDisjointnessOrderAndDeterminism() throws {
        let directory = try TemporaryDirectory()
        let spec = DataSpec(source: .csv, path: try indexedCSV(rows: 101, in: directory), testFraction: 0.2, seed: 4,
                            task: .classification)
        let dataset = try DatasetLoader.load(spec)
        XCTAssertEqual(dataset.name, "indexed")
        XCTAssertEqual(dataset.task, .classification(classes: 3))
        XCTAssertEqual([dataset.train.count, dataset.test.count], [81, 20])
        let train = originalIndices(dataset.train), test = originalIndices(dataset.test)
        XCTAssertEqual(train, train.sorted())
        XCTAssertEqual(test, test.sorted())
        XCTAssertEqual(Set(train).union(test), Set(0..<101))
        XCTAssertTrue(Set(train).isDisjoint(with: test))
        XCTAssertEqual(dataset.train.labels, train.map { Int32($0 % 3) })

        XCTAssertEqual(originalIndices(try DatasetLoader.load(spec).test), test)
        var other = spec
        other.seed = 5
        XCTAssertNotEqual(originalIndices(try DatasetLoader.load(other).test), test)
    }

    func testSubsetsAreSortedDeterministicAndBounded() throws {
        let directory = try TemporaryDirectory()
        var spec = DataSpec(source: .csv, path: try indexedCSV(rows: 100, in: directory), trainSubset: 30, testSubset: 7,
                            testFraction: 0.25, seed: 1, task: .regression)
        let dataset = try DatasetLoader.load(spec)
        XCTAssertEqual([dataset.train.count, dataset.test.count], [30, 7])
        let train = originalIndices(dataset.train), test = originalIndices(dataset.test)
        XCTAssertEqual(train, train.sorted())
        XCTAssertEqual(Set(train).count, 30)
        XCTAssertTrue(Set(train).isDisjoint(with: test))
        XCTAssertEqual(originalIndices(try DatasetLoader.load(spec).train), train)
        // The subset is drawn from the same training split the full load has.
        spec.trainSubset = nil
        XCTAssertTrue(Set(train).isSubset(of: originalIndices(try DatasetLoader.load(spec).train)))

        spec.trainSubset = 76
        assertSpecError(try DatasetLoader.load(spec), field: "trainSubset")
    }

    func testStandardisedTrainingFeaturesHaveZeroMeanAndUnitStd() throws {
        var spec = DataSpec(source: .syntheticClassification, testFraction: 0.3, standardize: true, seed: 2,
                            samples: 500, features: 6, classes: 3, noise: 2)
        let dataset = try DatasetLoader.load(spec)
        let (n, d) = (dataset.train.count, dataset.featureCount)
        for j in 0..<d {
            let column = (0..<n).map { Double(dataset.train.features[$0 * d + j]) }
            let mean = column.reduce(0, +) / Double(n)
            let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
            // Float storage of values of order 1 leaves errors of order 1e-7 per value.
            XCTAssertEqual(mean, 0, accuracy: 1e-5, "feature \(j)")
            XCTAssertEqual(std, 1, accuracy: 1e-5, "feature \(j)")
        }
        // The test split is transformed with the training statistics, not its own.
        spec.standardize = false
        let raw = try DatasetLoader.load(spec)
        let standardizer = Standardizer(fitting: raw.train, featureCount: d)
        XCTAssertEqual(dataset.test.features, standardizer.apply(to: raw.test).features)
        XCTAssertNotEqual(dataset.test.features, Standardizer(fitting: raw.test, featureCount: d).apply(to: raw.test).features)
    }

    func testConstantFeatureIsOnlyCentred() {
        let split = Split(features: [3, 1, 3, 2, 3, 3], values: [0, 0, 0])
        let standardizer = Standardizer(fitting: split, featureCount: 2)
        XCTAssertEqual(standardizer.scales[0], 1)
        XCTAssertEqual(Array(stride(from: 0, to: 6, by: 2).map { standardizer.apply(to: split).features[$0] }), [0, 0, 0])
    }

    func testSyntheticRegressionKeepsItsTrueParameters() throws {
        let spec = DataSpec(source: .syntheticRegression, seed: 8, samples: 60, features: 5, noise: 0)
        let dataset = try DatasetLoader.load(spec)
        let problem = SyntheticData.regression(samples: 60, features: 5, noise: 0, seed: 8)
        XCTAssertEqual(dataset.name, "synthetic-regression")
        XCTAssertEqual(dataset.trueWeights, problem.weights)
        XCTAssertEqual(dataset.trueBias, problem.bias)
        XCTAssertEqual([dataset.train.count, dataset.test.count], [48, 12])
        XCTAssertEqual(Set(dataset.train.values + dataset.test.values), Set(problem.rows.values))
    }

    func testInvalidSpecsNameTheirField() {
        assertSpecError(try DatasetLoader.load(DataSpec(source: .syntheticRegression, testFraction: 1)), field: "testFraction")
        assertSpecError(try DatasetLoader.load(DataSpec(source: .syntheticRegression, testFraction: -0.1)), field: "testFraction")
        assertSpecError(try DatasetLoader.load(DataSpec(source: .syntheticRegression, samples: 10, features: 0)),
                        field: "features")
        assertSpecError(try DatasetLoader.load(DataSpec(source: .syntheticClassification, classes: 1)), field: "classes")
        assertSpecError(try DatasetLoader.load(DataSpec(source: .syntheticRegression, noise: -1)), field: "noise")
        assertSpecError(try DatasetLoader.load(DataSpec(source: .syntheticRegression, trainSubset: 0)), field: "trainSubset")
        assertSpecError(try DatasetLoader.load(DataSpec(source: .csv, task: .regression)), field: "path")
        assertSpecError(try DatasetLoader.load(DataSpec(source: .csv, path: "/x.csv")), field: "task")
        // 0.01 of 10 points rounds to no test point at all.
        assertSpecError(try DatasetLoader.load(DataSpec(source: .syntheticRegression, testFraction: 0.01, samples: 10)),
                        field: "testFraction")
    }

    func testMNISTFromADirectoryOfSmallFiles() throws {
        let directory = try TemporaryDirectory()
        let pixels = (0..<(3 * 784)).map { UInt8($0 % 256) }
        try directory.write("train-images-idx3-ubyte.gz", bytes: idxBytes(magic: 0x803, sizes: [3, 28, 28], payload: pixels),
                            gzip: true)
        try directory.write("train-labels-idx1-ubyte", bytes: idxBytes(magic: 0x801, sizes: [3], payload: [9, 0, 4]))
        try directory.write("t10k-images-idx3-ubyte", bytes: idxBytes(magic: 0x803, sizes: [1, 28, 28], payload: Array(pixels.prefix(784))))
        let labels = try directory.write("t10k-labels-idx1-ubyte.gz", bytes: idxBytes(magic: 0x801, sizes: [2], payload: [1, 2]),
                                         gzip: true)
        let spec = DataSpec(source: .mnist, path: directory.url.path)
        XCTAssertThrowsError(try DatasetLoader.load(spec)) { error in
            guard case .malformedIDX(let path, _, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, labels, "the labels file whose count disagrees with its images")
        }
        try directory.write("t10k-labels-idx1-ubyte.gz", bytes: idxBytes(magic: 0x801, sizes: [1], payload: [7]), gzip: true)
        let dataset = try DatasetLoader.load(spec)
        XCTAssertEqual(dataset.name, "mnist")
        XCTAssertEqual([dataset.train.count, dataset.test.count, dataset.featureCount], [3, 1, 784])
        XCTAssertEqual(dataset.train.labels, [9, 0, 4])
        XCTAssertEqual(dataset.train.features[784 + 1], Float((784 + 1) % 256) / 255, "pixel 1 of image 1")
    }
}
