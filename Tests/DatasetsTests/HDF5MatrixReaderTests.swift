import Datasets
import HDF5Store
import XCTest

final class HDF5MatrixReaderTests: XCTestCase {
    func write(_ directory: TemporaryDirectory, features: [Float], shape: [Int], targets: [Double], targetShape: [Int]? = nil) throws -> String {
        let path = directory.url.appendingPathComponent("data.h5").path
        let file = try HDF5File.create(at: path, overwrite: true)
        try file.root.writeDataset("inputs/X", features, shape: shape)
        try file.root.writeDataset("y", targets, shape: targetShape ?? [targets.count])
        try file.close()
        return path
    }

    func testClassificationMatrixLoadsWithHoldOut() throws {
        let directory = try TemporaryDirectory()
        let features = (0..<40).map { Float($0) }
        let path = try write(directory, features: features, shape: [10, 4], targets: (0..<10).map { Double($0 % 3) })
        let dataset = try DatasetLoader.load(DataSpec(source: .hdf5, path: path, testFraction: 0.2, task: .classification,
                                                      featuresDataset: "inputs/X", targetsDataset: "y"))
        XCTAssertEqual(dataset.featureCount, 4)
        XCTAssertEqual(dataset.task, .classification(classes: 3))
        XCTAssertEqual(dataset.train.count, 8)
        XCTAssertEqual(dataset.test.count, 2)
        XCTAssertEqual(dataset.name, "data")
        // Every row keeps its features and label together: row r is (4r, 4r+1, …) with label r mod 3.
        for split in [dataset.train, dataset.test] {
            for row in 0..<split.count {
                let r = Int(split.features[row * 4]) / 4
                XCTAssertEqual(split.features[row * 4 + 3], Float(4 * r + 3))
                XCTAssertEqual(Int(split.labels[row]), r % 3)
            }
        }
    }

    func testRegressionTargetsAndColumnVector() throws {
        let directory = try TemporaryDirectory()
        let path = try write(directory, features: [1, 2, 3, 4, 5, 6], shape: [3, 2], targets: [0.5, -1, 2], targetShape: [3, 1])
        let table = try HDF5MatrixReader.read(path: path, featuresDataset: "inputs/X", targetsDataset: "y", task: .regression)
        XCTAssertEqual(table.rows.values, [0.5, -1, 2])
        XCTAssertEqual(table.task, .regression)
    }

    func testErrorsNameTheFileAndTheProblem() throws {
        let directory = try TemporaryDirectory()
        let path = try write(directory, features: [1, 2, 3, 4], shape: [4], targets: [0, 1, 0, 1])
        XCTAssertThrowsError(try HDF5MatrixReader.read(path: path, featuresDataset: "inputs/X", targetsDataset: "y", task: .classification)) { error in
            XCTAssertTrue("\(error)".contains("2-D matrix"), "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
        XCTAssertThrowsError(try HDF5MatrixReader.read(path: path, featuresDataset: "missing", targetsDataset: "y", task: .classification)) { error in
            XCTAssertTrue("\(error)".contains("missing"), "\(error)")
        }
        let fractional = try write(directory, features: [1, 2, 3, 4], shape: [2, 2], targets: [0, 1.5])
        XCTAssertThrowsError(try HDF5MatrixReader.read(path: fractional, featuresDataset: "inputs/X", targetsDataset: "y", task: .classification)) { error in
            XCTAssertTrue("\(error)".contains("1.5 at row 2"), "\(error)")
        }
        XCTAssertThrowsError(try HDF5MatrixReader.read(path: "/nonexistent.h5", featuresDataset: "X", targetsDataset: "y", task: .regression))
    }
}
