import Datasets
import XCTest

/// A split read from IDX images keeps its pixel bytes with `features[i] == Float(pixelBytes[i]) / 255`
/// through every selection of rows, and loses them when its features change.
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

    func testIDXImagesKeepTheirBytes() throws {
        let directory = try TemporaryDirectory()
        let payload = (0..<(3 * 17 * 5)).map { UInt8(($0 * 31) % 256) }
        let path = try directory.write("images.gz", bytes: idxBytes(magic: 0x803, sizes: [3, 17, 5], payload: payload), gzip: true)
        let images = try IDXReader.readImages(at: path)
        XCTAssertEqual(images.bytes, payload)
        XCTAssertEqual(images.pixels, payload.map { Float($0) / 255 })
    }
}
