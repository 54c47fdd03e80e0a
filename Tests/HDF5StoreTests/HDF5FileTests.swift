import Foundation
import HDF5Store
import XCTest

final class HDF5FileTests: XCTestCase {
    func testLibraryVersionHasThreeNumbers() {
        let parts = HDF5Library.version.split(separator: ".")
        XCTAssertEqual(parts.count, 3, HDF5Library.version)
        XCTAssertTrue(parts.allSatisfy { Int($0) != nil }, HDF5Library.version)
    }

    func testCreateRefusesToOverwriteUnlessAsked() throws {
        let path = try temporaryPath()
        let first = try HDF5File.create(at: path)
        try first.root.setAttribute("generation", .int64(1))
        try first.close()

        assertHDF5Error(try HDF5File.create(at: path), mentions: path, "exists")
        XCTAssertEqual(try HDF5File.open(at: path).root.int64Attribute("generation"), 1, "refused create must not truncate")

        let second = try HDF5File.create(at: path, overwrite: true)
        XCTAssertFalse(try second.root.hasAttribute("generation"))
        XCTAssertEqual(second.path, path)
    }

    func testOpeningMissingFileNamesThePath() throws {
        let path = try temporaryPath("absent.h5")
        assertHDF5Error(try HDF5File.open(at: path), mentions: path, "open file")
        assertHDF5Error(try HDF5File.open(at: path, mode: .readWrite), mentions: path)
    }

    func testOpeningSomethingNotHDF5CarriesTheLibraryMessage() throws {
        let path = try temporaryPath("plain.txt")
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try HDF5File.open(at: path)) { error in
            let error = error as? HDF5Error
            XCTAssertEqual(error?.file, path)
            XCTAssertNotNil(error?.detail, "the innermost HDF5 message should be captured")
        }
    }

    func testNestedGroupsAndMembership() throws {
        let path = try temporaryPath()
        let file = try HDF5File.create(at: path)
        let inner = try file.root.createGroup("a/b")
        XCTAssertEqual(inner.path, "/a/b")
        XCTAssertEqual(inner.name, "b")
        try file.root.createGroup("c")
        try inner.writeDataset("x", [1.0, 2.0] as [Double], shape: [2])
        try file.close()

        let reopened = try HDF5File.open(at: path)
        XCTAssertEqual(try reopened.root.childNames(), ["a", "c"])
        XCTAssertTrue(try reopened.root.contains("a/b/x"))
        XCTAssertTrue(try reopened.root.contains("/a/b"))
        XCTAssertFalse(try reopened.root.contains("a/missing"))
        XCTAssertFalse(try reopened.root.contains("missing/deeper"))
        let group = try reopened.root.group("a")
        XCTAssertEqual(try group.childNames(), ["b"])
        XCTAssertEqual(try group.group("b").childNames(), ["x"])
        assertHDF5Error(try reopened.root.group("a/nothing"), mentions: path, "/a/nothing", "open group")
    }

    func testReadOnlyFileRefusesWrites() throws {
        let path = try temporaryPath()
        try HDF5File.create(at: path).close()
        let file = try HDF5File.open(at: path, mode: .readOnly)
        assertHDF5Error(try file.root.createGroup("g"), mentions: path, "/g", "create group")
        assertHDF5Error(try file.root.setAttribute("a", .double(1)), mentions: path, "write attribute 'a'")
    }

    func testCloseReleasesObjectsAndLaterUseThrows() throws {
        let path = try temporaryPath()
        let file = try HDF5File.create(at: path)
        let group = try file.root.createGroup("g")
        try file.close()
        try file.close()
        assertHDF5Error(try group.createGroup("h"), mentions: path, "/g/h")
        // The file is really closed: it can be opened for writing again at once.
        let again = try HDF5File.open(at: path, mode: .readWrite)
        XCTAssertEqual(try again.root.childNames(), ["g"])
    }

    func testConcurrentWritersToSeparateFiles() throws {
        let paths = try (0..<8).map { try temporaryPath("file\($0).h5") }
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            do {
                let file = try HDF5File.create(at: paths[index])
                let values = (0..<1000).map { Float($0 + index) }
                let dataset = try file.root.writeDataset("values", values, shape: [10, 100], storage: .compressed())
                try dataset.setAttribute("index", .int64(Int64(index)))
                try file.close()
            } catch {
                failures.record("\(error)")
            }
        }
        XCTAssertEqual(failures.messages, [])
        for (index, path) in paths.enumerated() {
            let dataset = try HDF5File.open(at: path).root.dataset("values")
            XCTAssertEqual(try dataset.readFloats().values.last, Float(999 + index))
            XCTAssertEqual(try dataset.int64Attribute("index"), Int64(index))
        }
    }
}

/// Collects messages from concurrent workers.
private final class FailureLog: @unchecked Sendable {
    // @unchecked Sendable: `messages` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: [String] = []

    func record(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        stored.append(message)
    }

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

final class HDF5InMemoryFileTests: XCTestCase {
    func testAnInMemoryImageReadsBackAsAFile() throws {
        let file = try HDF5File.createInMemory(name: "memory.h5")
        try file.root.setAttribute("generation", .int64(3))
        try file.root.createGroup("curves").writeDataset("loss", [Float(1.5), 2.5, 3.5], shape: [3])
        let image = try file.image()
        try file.close()
        let path = try temporaryPath()
        try image.write(to: URL(fileURLWithPath: path))
        let reopened = try HDF5File.open(at: path)
        XCTAssertEqual(try reopened.root.int64Attribute("generation"), 3)
        XCTAssertEqual(try reopened.root.dataset("curves/loss").readFloats().values, [1.5, 2.5, 3.5])
    }

    func testAnInMemoryFileWritesNothingToDisk() throws {
        let path = try temporaryPath("never.h5")
        let file = try HDF5File.createInMemory(name: path)
        try file.root.setAttribute("x", .int64(1))
        _ = try file.image()
        try file.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
