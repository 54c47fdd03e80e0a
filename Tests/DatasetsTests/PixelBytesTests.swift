import Datasets
import Dispatch
import XCTest

/// A split whose features are bytes / 255 (IDX images, and every selection of their rows) has pixel
/// bytes with `features[i] == Float(pixelBytes[i]) / 255` to the bit; any other split has none.
final class PixelBytesTests: XCTestCase {
    /// Twenty 28×28 images whose pixels take every byte value, labels 0...9 twice.
    func imagesDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let pixels = (0..<(20 * 784)).map { (i: Int) -> UInt8 in UInt8((i * 7 + i / 784) % 256) }
        let labels = (0..<20).map { (i: Int) -> UInt8 in UInt8(i % 10) }
        try directory.write("train-images-idx3-ubyte.gz", bytes: idxBytes(magic: 0x803, sizes: [20, 28, 28], payload: pixels), gzip: true)
        try directory.write("train-labels-idx1-ubyte", bytes: idxBytes(magic: 0x801, sizes: [20], payload: labels))
        try directory.write("t10k-images-idx3-ubyte", bytes: idxBytes(magic: 0x803, sizes: [10, 28, 28], payload: Array(pixels.suffix(10 * 784))))
        try directory.write("t10k-labels-idx1-ubyte", bytes: idxBytes(magic: 0x801, sizes: [10], payload: Array(labels.suffix(10))))
        return directory
    }

    func assertBytesMatchFeatures(_ split: Split?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let split else { return XCTFail("\(what): no split", file: file, line: line) }
        guard let bytes = split.pixelBytes else { return XCTFail("\(what): no pixel bytes", file: file, line: line) }
        XCTAssertEqual(bytes.count, split.features.count, what, file: file, line: line)
        XCTAssertEqual(bytes.map { (Float($0) / 255).bitPattern }, split.features.map(\.bitPattern), what, file: file, line: line)
    }

    func testEverySplitOfImagesKeepsBytesEqualToItsFeatures() throws {
        let directory = try imagesDirectory()
        let whole = try DatasetLoader.load(DataSpec(source: .mnist, path: directory.url.path))
        assertBytesMatchFeatures(whole.train, "train")
        assertBytesMatchFeatures(whole.test, "test")
        XCTAssertEqual(Set(whole.train.pixelBytes!).count, 256, "every byte value occurs")

        // Subsets and the validation carve select rows: the bytes follow them.
        let carved = try DatasetLoader.load(DataSpec(source: .mnist, path: directory.url.path, trainSubset: 9, testSubset: 4,
                                                     seed: 3, validationSize: 5))
        assertBytesMatchFeatures(carved.train, "train subset")
        assertBytesMatchFeatures(carved.validation, "validation")
        assertBytesMatchFeatures(carved.test, "test subset")
        XCTAssertNotEqual(carved.train.features, Array(whole.train.features.prefix(9 * 784)), "the subset should select rows")
    }

    func testStandardisedFeaturesDropTheBytes() throws {
        let directory = try imagesDirectory()
        let dataset = try DatasetLoader.load(DataSpec(source: .mnist, path: directory.url.path, standardize: true, validationSize: 5))
        XCTAssertNil(dataset.train.pixelBytes, "standardised features are no longer bytes / 255")
        XCTAssertNil(dataset.validation?.pixelBytes)
        XCTAssertNil(dataset.test.pixelBytes)
    }

    func testOtherSourcesHaveNoBytes() throws {
        let dataset = try DatasetLoader.load(DataSpec(source: .syntheticClassification, samples: 50, features: 4))
        XCTAssertNil(dataset.train.pixelBytes)
        XCTAssertNil(dataset.test.pixelBytes)
    }

    func testFeaturesFromAnySourceThatAreBytesOver255HaveBytes() {
        let bytes = (0..<600).map { (i: Int) -> UInt8 in UInt8((i * 37 + i / 256) % 256) }
        let split = Split(features: bytes.map { Float($0) / 255 }, labels: [Int32](repeating: 0, count: 6))
        XCTAssertEqual(split.pixelBytes, bytes)
        let copy = split
        XCTAssertEqual(copy.pixelBytes, bytes, "a copy of the split has the same bytes")
    }

    func testOneFeatureThatIsNotAByteOver255MeansNoBytes() {
        let base = (0..<9000).map { (i: Int) -> Float in Float(i % 256) / 255 }
        // Past the first chunk of 4,096, so a late value is checked as well as an early one.
        let offenders: [(String, Float)] = [
            ("between two bytes", (Float(17) / 255).nextUp), ("negative zero", -0.0), ("negative", -1 / 255),
            ("above one", 256 / 255), ("NaN", .nan), ("infinity", .infinity), ("a quarter", 0.25),
        ]
        for (what, value) in offenders {
            for position in [3, 8191] {
                var features = base
                features[position] = value
                let split = Split(features: features, values: [Float](repeating: 0, count: 9))
                XCTAssertNil(split.pixelBytes, "\(what) at \(position)")
            }
        }
        XCTAssertNotNil(Split(features: base, values: [Float](repeating: 0, count: 9)).pixelBytes, "the unchanged features are bytes")
    }

    func testAnEmptySplitHasNoBytesToRead() {
        XCTAssertEqual(Split(features: [], labels: []).pixelBytes, [])
    }

    func testThreadsAskingAtOnceAllGetTheBytes() {
        let bytes = (0..<50_000).map { (i: Int) -> UInt8 in UInt8(i % 251) }
        let split = Split(features: bytes.map { Float($0) / 255 }, labels: [Int32](repeating: 0, count: 50))
        var seen = [[UInt8]?](repeating: nil, count: 8)
        seen.withUnsafeMutableBufferPointer { seen in
            nonisolated(unsafe) let seen = seen
            DispatchQueue.concurrentPerform(iterations: 8) { seen[$0] = split.pixelBytes }
        }
        XCTAssertTrue(seen.allSatisfy { $0 == bytes })
    }
}
