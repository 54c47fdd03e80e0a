import Foundation
import Runner
import XCTest

final class OutputLockTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testTheLockRefusesASecondHolder() throws {
        let path = directory.appendingPathComponent("locked.h5").path
        let first = try OutputLock(resultsPath: path)
        XCTAssertThrowsError(try OutputLock(resultsPath: path)) { error in
            XCTAssertTrue("\(error)".contains("pid \(getpid())"), "\(error)")
        }
        // A refused attempt must leave the holder's lock in place for the next one.
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".lock"))
        XCTAssertThrowsError(try OutputLock(resultsPath: path))
        first.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".lock"), "released locks leave no file behind")
        XCTAssertNoThrow(try OutputLock(resultsPath: path).release())
    }

    /// `decaybench status` asks whether a run holds a results path without taking its lock;
    /// asking leaves the holder's lock, and the file, as they were.
    func testHoldingIsAskedWithoutTakingTheLock() throws {
        let path = directory.appendingPathComponent("asked.h5").path
        XCTAssertEqual(OutputLock.holding(ofResultsPath: path), .free, "no lock file")
        let lock = try OutputLock(resultsPath: path)
        XCTAssertEqual(OutputLock.holding(ofResultsPath: path), .held(by: "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"))
        XCTAssertThrowsError(try OutputLock(resultsPath: path), "asking did not hand the lock to another")
        lock.release()
        XCTAssertEqual(OutputLock.holding(ofResultsPath: path), .free)

        // A crashed run's file, read as a lock nobody holds; a user's file, and a FIFO, are
        // not locks to judge (and the FIFO must not stop the caller).
        try Data("pid 999999 on elsewhere\n".utf8).write(to: URL(fileURLWithPath: path + ".lock"))
        XCTAssertEqual(OutputLock.holding(ofResultsPath: path), .free)
        try Data("my own notes\n".utf8).write(to: URL(fileURLWithPath: path + ".lock"))
        XCTAssertEqual(OutputLock.holding(ofResultsPath: path), .unknown)
        try FileManager.default.removeItem(atPath: path + ".lock")
        XCTAssertEqual(mkfifo(path + ".lock", 0o644), 0)
        XCTAssertEqual(OutputLock.holding(ofResultsPath: path), .unknown)
    }

    func testAUsersFileOfTheLockNameIsRefusedAndKept() throws {
        let path = directory.appendingPathComponent("u.h5").path
        try Data("my own notes\n".utf8).write(to: URL(fileURLWithPath: path + ".lock"))
        XCTAssertThrowsError(try OutputLock(resultsPath: path)) { error in
            XCTAssertTrue("\(error)".contains("\(path).lock exists and is not a decaybench lock file"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: path + ".lock", encoding: .utf8), "my own notes\n")
    }

    func testAStaleLockOfACrashedRunIsTakenOver() throws {
        let path = directory.appendingPathComponent("s.h5").path
        try Data("pid 999999 on elsewhere\n".utf8).write(to: URL(fileURLWithPath: path + ".lock"))
        let lock = try OutputLock(resultsPath: path)
        XCTAssertEqual(try String(contentsOfFile: path + ".lock", encoding: .utf8),
                       "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n")
        lock.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".lock"))
    }

    func testReleaseKeepsAFileThatReplacedTheLock() throws {
        let path = directory.appendingPathComponent("r.h5").path
        let lock = try OutputLock(resultsPath: path)
        unlink(path + ".lock")
        try Data("someone else's\n".utf8).write(to: URL(fileURLWithPath: path + ".lock"))
        lock.release()
        XCTAssertEqual(try String(contentsOfFile: path + ".lock", encoding: .utf8), "someone else's\n")
    }
}
