import Foundation
@testable import Runner
import XCTest

final class RunJournalTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func touch(_ path: String, _ text: String = "x") throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A stand-in for a run file: what matters to the journal is its name and that it begins
    /// as an HDF5 file does.
    func touchShard(_ path: String) throws {
        try Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 0]).write(to: URL(fileURLWithPath: path))
    }

    func testStatesTellAJournalFromSomethingElse() throws {
        let journal = RunJournal(resultsPath: directory + "/r.h5")
        XCTAssertEqual(journal.state, .absent)
        try journal.create(canonicalText: "{}")
        XCTAssertEqual(journal.state, .journal)
        try touchShard(journal.shardPath(forKey: "0123456789abcdef"))
        try touch(journal.directory + "/grid.canonical.tmp-99")
        XCTAssertEqual(journal.state, .journal)
        try touch(journal.directory + "/notes.txt")
        XCTAssertEqual(journal.state, .foreignDirectory(unknownEntries: ["notes.txt"]))
        try FileManager.default.removeItem(atPath: journal.directory + "/notes.txt")
        try FileManager.default.removeItem(atPath: journal.directory + "/grid.canonical")
        XCTAssertEqual(journal.state, .remnant)

        // A user's file with a run file's name is not taken for one.
        try touch(journal.shardPath(forKey: "fedcba9876543210"), "mine")
        XCTAssertEqual(journal.state, .foreignDirectory(unknownEntries: ["fedcba9876543210.h5"]))
        journal.remove(includedKeys: ["fedcba9876543210", "0123456789abcdef"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal.shardPath(forKey: "fedcba9876543210")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal.shardPath(forKey: "0123456789abcdef")))
        try FileManager.default.removeItem(atPath: journal.shardPath(forKey: "fedcba9876543210"))

        let file = RunJournal(resultsPath: directory + "/f.h5")
        try touch(file.directory)
        XCTAssertEqual(file.state, .notADirectory)
    }

    func testRemovalTakesOnlyTheShardsTheResultsFileHolds() throws {
        let journal = RunJournal(resultsPath: directory + "/r.h5")
        try journal.create(canonicalText: "{}")
        let kept = "1111111111111111", included = "2222222222222222"
        try touchShard(journal.shardPath(forKey: kept))
        try touchShard(journal.shardPath(forKey: included))
        XCTAssertEqual(journal.remove(includedKeys: [included]), ["\(kept).h5"])
        XCTAssertEqual(journal.recordedKeys(), [kept])
        XCTAssertEqual(journal.state, .journal, "the manifest goes last, so what is left is still a journal")
        XCTAssertEqual(journal.remove(includedKeys: [kept]), [])
        XCTAssertEqual(journal.state, .absent)
    }

    func testAJournalOfAnOverwriteSaysSoUntilItsRemovalBegins() throws {
        let journal = RunJournal(resultsPath: directory + "/o.h5")
        try journal.create(canonicalText: "{}", replacing: true)
        XCTAssertEqual(journal.state, .journal, "the marker is the journal's own")
        XCTAssertTrue(journal.replacesResults)
        let kept = "1111111111111111"
        try touchShard(journal.shardPath(forKey: kept))
        // Removal starts once the results file holds the runs: from then on a resume must read
        // that file, so the marker goes first, even when shards stay.
        XCTAssertEqual(journal.remove(includedKeys: []), ["\(kept).h5"])
        XCTAssertEqual(journal.state, .journal)
        XCTAssertFalse(journal.replacesResults)

        // A journal made again without replacing drops a marker an earlier one left.
        try journal.create(canonicalText: "{}", replacing: true)
        try journal.create(canonicalText: "{}")
        XCTAssertFalse(journal.replacesResults)
        XCTAssertEqual(journal.remove(includedKeys: [kept]), [])
        XCTAssertEqual(journal.state, .absent)
    }

    func testAForeignDirectoryIsNeverEmptied() throws {
        let journal = RunJournal(resultsPath: directory + "/w.h5")
        try FileManager.default.createDirectory(atPath: journal.directory, withIntermediateDirectories: false)
        try touch(journal.shardPath(forKey: "3333333333333333"))
        try touch(journal.directory + "/mine.txt")
        XCTAssertEqual(journal.remove(includedKeys: ["3333333333333333"]), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal.shardPath(forKey: "3333333333333333")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal.directory + "/mine.txt"))
    }

    func testAJournalThatCannotBeStartedLeavesNoDirectory() throws {
        let journal = RunJournal(resultsPath: directory + "/r.h5")
        // The manifest's name is taken by a directory, so writing it fails after the journal's
        // directory was made.
        try FileManager.default.createDirectory(atPath: journal.directory, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: journal.directory + "/grid.canonical", withIntermediateDirectories: false)
        XCTAssertThrowsError(try journal.create(canonicalText: "{}"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal.directory), "a directory it did not make is kept")
        try FileManager.default.removeItem(atPath: journal.directory)
        chmod(directory, 0o555)
        defer { chmod(directory, 0o755) }
        if geteuid() != 0 {
            XCTAssertThrowsError(try journal.create(canonicalText: "{}")) { error in
                XCTAssertTrue("\(error)".contains("Permission denied"), "\(error)")
            }
            XCTAssertEqual(journal.state, .absent)
        }
    }

    func testASecondProcessFindsTheJournalLocked() throws {
        let journal = RunJournal(resultsPath: directory + "/r.h5")
        try journal.create(canonicalText: "{}")
        let held = try journal.lock()
        // flock locks belong to the open file description, so a second open conflicts even
        // within one process, as a second process would.
        XCTAssertThrowsError(try journal.lock()) { error in
            XCTAssertTrue("\(error)".contains("another decaybench process"), "\(error)")
        }
        held.release()
        XCTAssertNoThrow(try journal.lock().release())
    }

    func testOnlyDeadWritersTemporariesAreRemoved() throws {
        let path = directory + "/r.h5"
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { sleeper.terminate(); sleeper.waitUntilExit() }
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        // Temporaries beside an output begin as DecayBench's files do (OutputPathTests checks a user's file stays).
        let hdf5Start = Data([0x89, 0x48, 0x44, 0x46])
        try hdf5Start.write(to: URL(fileURLWithPath: path + ".tmp-\(sleeper.processIdentifier)"))
        try hdf5Start.write(to: URL(fileURLWithPath: path + ".tmp-\(dead.processIdentifier)"))
        try touch(directory + "/other.h5.tmp-\(dead.processIdentifier)")
        StaleTemporaries.remove(besides: path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".tmp-\(sleeper.processIdentifier)"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp-\(dead.processIdentifier)"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/other.h5.tmp-\(dead.processIdentifier)"),
                      "another file's temporary is not this run's to remove")
    }
}
