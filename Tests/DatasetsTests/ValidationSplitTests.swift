import Datasets
import XCTest

/// The validation split: held out of the training split by the data seed, before subsets.
final class ValidationSplitTests: XCTestCase {
    private func indexedSpec(rows: Int, in directory: TemporaryDirectory) throws -> DataSpec {
        DataSpec(source: .csv, path: try indexedCSV(rows: rows, in: directory), testFraction: 0.2, seed: 4, task: .classification)
    }

    func testNoValidationSplitUnlessAsked() throws {
        let directory = try TemporaryDirectory()
        let spec = try indexedSpec(rows: 100, in: directory)
        XCTAssertFalse(spec.hasValidationSplit)
        let dataset = try DatasetLoader.load(spec)
        XCTAssertNil(dataset.validation)
        XCTAssertEqual([dataset.train.count, dataset.test.count], [80, 20])
    }

    func testFractionHoldsOutPartOfTheTrainingSplitAndLeavesTheTestSplitAlone() throws {
        let directory = try TemporaryDirectory()
        let plain = try indexedSpec(rows: 100, in: directory)
        var spec = plain
        spec.validationFraction = 0.25
        let dataset = try DatasetLoader.load(spec)
        let reference = try DatasetLoader.load(plain)
        let train = originalIndices(dataset.train), validation = originalIndices(dataset.validation)
        XCTAssertEqual([train.count, validation.count, dataset.test.count], [60, 20, 20])
        XCTAssertEqual(validation, validation.sorted())
        XCTAssertTrue(Set(train).isDisjoint(with: validation))
        XCTAssertEqual(Set(train).union(validation), Set(originalIndices(reference.train)))
        XCTAssertEqual(originalIndices(dataset.test), originalIndices(reference.test))
        XCTAssertEqual(dataset.validation?.labels, validation.map { Int32($0 % 3) })
    }

    func testTheDataSeedChoosesTheSameSplitForEveryRun() throws {
        let directory = try TemporaryDirectory()
        var spec = try indexedSpec(rows: 100, in: directory)
        spec.validationSize = 15
        let first = originalIndices(try DatasetLoader.load(spec).validation)
        XCTAssertEqual(first.count, 15)
        XCTAssertEqual(originalIndices(try DatasetLoader.load(spec).validation), first)
        var reseeded = spec
        reseeded.seed = 5
        XCTAssertNotEqual(originalIndices(try DatasetLoader.load(reseeded).validation), first)
    }

    func testTrainSubsetDrawsFromWhatValidationLeaves() throws {
        let directory = try TemporaryDirectory()
        var spec = try indexedSpec(rows: 100, in: directory)
        spec.validationSize = 30
        spec.trainSubset = 40
        let dataset = try DatasetLoader.load(spec)
        XCTAssertEqual([dataset.train.count, dataset.validation?.count ?? 0], [40, 30])
        XCTAssertTrue(Set(originalIndices(dataset.train)).isDisjoint(with: originalIndices(dataset.validation)))
        // The subset does not move the validation split.
        spec.trainSubset = nil
        XCTAssertEqual(originalIndices(try DatasetLoader.load(spec).validation), originalIndices(dataset.validation))
        // 80 training points less 30 leave 50: a subset of 51 is refused.
        spec.trainSubset = 51
        assertSpecError(try DatasetLoader.load(spec), field: "trainSubset")
    }

    func testStandardisationUsesTrainingStatisticsOnValidationToo() throws {
        let spec = DataSpec(source: .syntheticRegression, standardize: true, seed: 3, samples: 200, features: 3,
                            validationFraction: 0.5)
        var raw = spec
        raw.standardize = false
        let scaled = try DatasetLoader.load(spec), unscaled = try DatasetLoader.load(raw)
        let (n, d) = (unscaled.train.count, unscaled.featureCount)
        let mean = (0..<d).map { j in (0..<n).map { Double(unscaled.train.features[$0 * d + j]) }.reduce(0, +) / Double(n) }
        let std = (0..<d).map { j in
            ((0..<n).map { pow(Double(unscaled.train.features[$0 * d + j]) - mean[j], 2) }.reduce(0, +) / Double(n)).squareRoot()
        }
        let rawValidation = try XCTUnwrap(unscaled.validation), scaledValidation = try XCTUnwrap(scaled.validation)
        for row in 0..<rawValidation.count {
            for j in 0..<d {
                let expected = (Double(rawValidation.features[row * d + j]) - mean[j]) / std[j]
                XCTAssertEqual(Double(scaledValidation.features[row * d + j]), expected, accuracy: 1e-4)
            }
        }
        XCTAssertEqual(scaledValidation.values, rawValidation.values)
    }

    func testBadValidationSettingsNameTheirField() throws {
        let directory = try TemporaryDirectory()
        let plain = try indexedSpec(rows: 100, in: directory)
        var both = plain
        both.validationFraction = 0.1
        both.validationSize = 5
        assertSpecError(try DatasetLoader.load(both), field: "validationSize")
        for fraction in [0.0, 1.0, -0.1, .nan] {
            var spec = plain
            spec.validationFraction = fraction
            assertSpecError(try DatasetLoader.load(spec), field: "validationFraction")
        }
        for size in [0, 80, 1000] {
            var spec = plain
            spec.validationSize = size
            assertSpecError(try DatasetLoader.load(spec), field: "validationSize")
        }
        var tiny = plain
        tiny.validationFraction = 0.001   // rounds to no point at all of 80
        assertSpecError(try DatasetLoader.load(tiny), field: "validationFraction")
    }

    func testHeldOutCountsStayWithinTheDataForAnyFraction() {
        XCTAssertEqual(RandomSelection.testCount(of: 160, fraction: 0.2), 32)
        XCTAssertEqual(RandomSelection.testCount(of: 5, fraction: 0.5), 3, "rounded to the nearest, halves away from zero")
        // Refused where they are read; here they only must not trap (NaN and 10^18 did).
        for (fraction, expected) in [(Double.nan, 0), (.infinity, 160), (-.infinity, 0), (1e18, 160), (-0.5, 0), (1e-300, 0)] {
            XCTAssertEqual(RandomSelection.testCount(of: 160, fraction: fraction), expected, "\(fraction)")
        }
    }

    func testAHoldOutThatLeavesNoTrainingPointIsASizeProblemBeforeReading() {
        func problems(_ spec: DataSpec) -> [String] { spec.sizeProblems.map { "\($0.field): \($0.message)" } }
        let synthetic = DataSpec(source: .syntheticClassification, testFraction: 0.2, samples: 200, features: 5, classes: 2)
        for size in [160, 1_000_000_000_000, Int.max] {
            var spec = synthetic
            spec.validationSize = size
            XCTAssertEqual(problems(spec), ["validation_size: expected a hold-out of 1 to 159 of the 160 training points, got \(size)"])
        }
        var fits = synthetic
        fits.validationSize = 159
        XCTAssertEqual(problems(fits), [])
        var tiny = synthetic
        tiny.validationFraction = 0.001  // 0.16 points, rounded to none
        XCTAssertEqual(problems(tiny), ["validation_fraction: expected a hold-out of 1 to 159 of the 160 training points, got 0"])
        var fashion = DataSpec(source: .fashionMNIST)
        fashion.validationSize = 60_000
        XCTAssertEqual(problems(fashion), ["validation_size: expected a hold-out of 1 to 59999 of the 60000 training points, got 60000"])
    }
}
