import Foundation
@testable import Runner
import XCTest

/// Output paths taken apart without Foundation's path methods (which crashed on "."), and the
/// stale temporaries beside an output told from a user's files of the same name.
final class OutputPathTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-path-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testDirectoryAndNameOfEveryShapeOfPath() {
        let cases: [(path: String, directory: String, name: String)] = [
            ("r.h5", ".", "r.h5"), ("out/r.h5", "out", "r.h5"), ("/r.h5", "/", "r.h5"), ("/a/b/r.h5", "/a/b", "r.h5"),
            (".", ".", "."), ("..", ".", ".."), ("a/.", "a", "."), ("dir/", "dir", ""), ("/", "/", ""),
        ]
        for (path, directory, name) in cases {
            XCTAssertEqual(OutputPath.directory(of: path), directory, path)
            XCTAssertEqual(OutputPath.name(of: path), name, path)
        }
    }

    func testPathsThatNameADirectoryAreRefusedBeforeAnythingIsMadeBesideThem() {
        for path in ["", ".", "..", "./.", "a/..", "dir/", "/"] {
            XCTAssertThrowsError(try OutputPath.checkNamesFile(path), "'\(path)'")
        }
        for path in ["r.h5", "./r.h5", "../r.h5", ".r.h5", "..r"] {
            XCTAssertNoThrow(try OutputPath.checkNamesFile(path), path)
        }
    }

    func testOnlyFilesThatBeginAsDecayBenchsAreRecognisedAsItsTemporaries() throws {
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let hdf5: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        let ours = [try file("empty", []), try file("cut", Array(hdf5.prefix(3))), try file("image", hdf5 + [0, 0, 1]),
                    try file("lock", Array("pid 42 on host\n".utf8)), try file("lock-cut", Array("pi".utf8))]
        let theirs = [try file("notes", Array("my notes\n".utf8)), try file("almost", Array(hdf5.prefix(7)) + [0]),
                      try file("pidgin", Array("pidgin".utf8))]
        let link = directory.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: ours[0])
        for path in ours { XCTAssertTrue(StaleTemporaries.isRecognisablyOurs(path), path) }
        for path in theirs + [link, directory.path] { XCTAssertFalse(StaleTemporaries.isRecognisablyOurs(path), path) }
    }

    func testAStaleTemporaryGoesAndAUsersFileOfTheSameNameStays() throws {
        let output = directory.appendingPathComponent("r.h5").path
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let deadPid = finished.processIdentifier
        let stale = output + ".tmp-\(deadPid)", users = output + ".tmp-\(deadPid + 1_000_000)"
        try Data([0x89, 0x48, 0x44, 0x46]).write(to: URL(fileURLWithPath: stale))
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: users))
        StaleTemporaries.remove(besides: output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertEqual(try String(contentsOfFile: users, encoding: .utf8), "keep me")
    }
}
