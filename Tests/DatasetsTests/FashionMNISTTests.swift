import Datasets
import Foundation
import XCTest

/// The real Fashion-MNIST files from Debian's dataset-fashion-mnist.
final class FashionMNISTTests: XCTestCase {
    func testFullDataSetShapeRangeAndBalancedClasses() throws {
        let locator = DatasetLocator()
        let directory = try locator.directory(for: .fashionMNIST, path: nil).directory
        try XCTSkipUnless(FileManager.default.fileExists(atPath: directory), "Fashion-MNIST not installed in \(directory)")

        let start = Date()
        let dataset = try DatasetLoader.load(DataSpec(source: .fashionMNIST), locator: locator)
        print("Fashion-MNIST loaded in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")

        XCTAssertEqual(dataset.name, "fashion-mnist")
        XCTAssertEqual(dataset.featureCount, 784)
        XCTAssertEqual(dataset.task, .classification(classes: 10))
        XCTAssertEqual([dataset.train.count, dataset.test.count], [60000, 10000])
        for (split, perClass) in [(dataset.train, 6000), (dataset.test, 1000)] {
            XCTAssertEqual(split.features.count, split.count * 784)
            XCTAssertEqual(split.features.min(), 0)
            XCTAssertEqual(split.features.max(), 1)
            var counts = [Int](repeating: 0, count: 10)
            for label in split.labels { counts[Int(label)] += 1 }
            XCTAssertEqual(counts, [Int](repeating: perClass, count: 10))
        }
    }
}
