import Foundation
import Results
import XCTest

/// A results file written to a full disk: one error in the system's words, nothing left behind.
final class FullDiskTests: XCTestCase {
    /// A 64 KB tmpfs, mounted for the test (root only), or a skip that says why not.
    func smallFilesystem() throws -> String {
        try XCTSkipUnless(geteuid() == 0, "mounting a tmpfs needs root; Tests/Interop/test_file_safety.py covers the command")
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint]
        try mount.run()
        mount.waitUntilExit()
        try XCTSkipUnless(mount.terminationStatus == 0, "cannot mount a tmpfs here")
        addTeardownBlock {
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
            unmount.arguments = [mountPoint]
            try? unmount.run()
            unmount.waitUntilExit()
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        return mountPoint
    }

    func testAFullDiskIsReportedInWordsAndLeavesNoTemporaryFile() throws {
        let mountPoint = try smallFilesystem()
        let path = mountPoint + "/results.h5"
        let tooBig = Data(repeating: 7, count: 200_000)
        XCTAssertThrowsError(try AtomicFile.write(tooBig, to: path)) { error in
            XCTAssertEqual("\(error)", "cannot write \(path): No space left on device")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mountPoint), [])
    }

    func testAFailedWriteKeepsTheFileItWouldHaveReplaced() throws {
        let mountPoint = try smallFilesystem()
        let path = mountPoint + "/results.h5"
        try AtomicFile.write(Data("old".utf8), to: path)
        XCTAssertThrowsError(try AtomicFile.write(Data(repeating: 1, count: 200_000), to: path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mountPoint), ["results.h5"])
    }

    func testAMissingDirectoryIsNamedWithTheReason() {
        let path = "/nonexistent-\(UUID().uuidString)/results.h5"
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: path)) { error in
            XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }
}
