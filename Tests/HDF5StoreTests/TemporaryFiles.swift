import Foundation
import HDF5Store
import XCTest

extension XCTestCase {
    /// A path named `name` in a fresh temporary directory that is removed after the test.
    func temporaryPath(_ name: String = "test.h5") throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("HDF5StoreTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent(name).path
    }

    /// Asserts that `body` throws an `HDF5Error` whose description contains every one of `fragments`.
    func assertHDF5Error<T>(_ body: @autoclosure () throws -> T, mentions fragments: String...,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? HDF5Error else {
                return XCTFail("expected HDF5Error, got \(error)", file: file, line: line)
            }
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "'\(error)' does not mention '\(fragment)'",
                              file: file, line: line)
            }
        }
    }
}
