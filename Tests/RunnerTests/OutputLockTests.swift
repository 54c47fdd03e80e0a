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

}
