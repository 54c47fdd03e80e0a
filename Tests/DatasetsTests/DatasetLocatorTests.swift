import Datasets
import XCTest

final class DatasetLocatorTests: XCTestCase {
    func testPathBeatsVariableBeatsDefault() throws {
        let locator = DatasetLocator(environment: [DatasetLocator.fashionMNISTVariable: "/from/variable"])
        XCTAssertEqual(try locator.directory(for: .fashionMNIST, path: "/from/spec").directory, "/from/spec")
        XCTAssertEqual(try locator.directory(for: .fashionMNIST, path: nil).directory, "/from/variable")
        XCTAssertEqual(try DatasetLocator(environment: [:]).directory(for: .fashionMNIST, path: nil).directory,
                       DatasetLocator.fashionMNISTDirectory)
    }

    func testMNISTWithoutDirectorySaysHowToSetOne() {
        XCTAssertThrowsError(try DatasetLocator(environment: [:]).directory(for: .mnist, path: nil)) { error in
            XCTAssertTrue("\(error)".contains("DECAYBENCH_MNIST_DIR"), "\(error)")
            XCTAssertTrue("\(error)".contains("dataset.path (--data-path)"), "\(error)")
        }
    }

    func testFindsGzippedOrRawFilesPreferringGzip() throws {
        let directory = try TemporaryDirectory()
        for (index, name) in DatasetLocator.fileNames.enumerated() {
            try directory.write(index == 1 ? name : name + ".gz", bytes: [])
        }
        try directory.write(DatasetLocator.fileNames[0], bytes: [])
        let files = try DatasetLocator(environment: [:]).idxFiles(for: .mnist, path: directory.url.path)
        XCTAssertEqual(files.trainImages, directory.url.appendingPathComponent("train-images-idx3-ubyte.gz").path)
        XCTAssertEqual(files.trainLabels, directory.url.appendingPathComponent("train-labels-idx1-ubyte").path)
        XCTAssertEqual(files.testLabels, directory.url.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)
    }

    func testMissingFilesErrorListsDirectoryNamesAndVariable() throws {
        let directory = try TemporaryDirectory()
        try directory.write("train-images-idx3-ubyte.gz", bytes: [])
        let locator = DatasetLocator(environment: [DatasetLocator.fashionMNISTVariable: directory.url.path])
        XCTAssertThrowsError(try locator.idxFiles(for: .fashionMNIST, path: nil)) { error in
            guard case let .filesNotFound(path, origin, lookedFor, hint)? = error as? DataError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, directory.url.path)
            XCTAssertTrue(origin.contains(DatasetLocator.fashionMNISTVariable))
            XCTAssertEqual(lookedFor.count, 3)
            XCTAssertTrue(lookedFor[0].contains("train-labels-idx1-ubyte.gz"), lookedFor[0])
            XCTAssertTrue(hint.contains(DatasetLocator.fashionMNISTVariable), hint)
        }
    }
}
