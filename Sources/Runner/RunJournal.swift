import Foundation
import Results

/// The runs of a grid that have finished so far, one small results file each, in
/// "<results>.parts/".
///
/// Each shard is written to a temporary name and renamed into place, so a shard either
/// exists whole or not at all: `kill -9` at any moment loses at most the runs in flight.
/// The directory also holds the grid's canonical form (the manifest), so that a resume can
/// check it is continuing the same grid, and so that the directory is recognisably
/// DecayBench's: nothing else is ever removed from it.
public struct RunJournal: Sendable {
    public let directory: String
    static let manifestName = "grid.canonical"
    /// Which shard of the grid the journal is for ("I/N"); empty for the whole grid.
    static let shardMarkerName = "shard"
    /// Present when the journal was started by `--overwrite` over an existing results file:
    /// its runs replace that file's, even on `--resume`.
    static let replacementMarkerName = "replaces-results"
    private var manifestPath: String { directory + "/" + Self.manifestName }
    private var shardMarkerPath: String { directory + "/" + Self.shardMarkerName }
    private var replacementMarkerPath: String { directory + "/" + Self.replacementMarkerName }

    public init(resultsPath: String) {
        directory = resultsPath + ".parts"
    }

    /// What is at the journal's path.
    public enum State: Equatable, Sendable {
        case absent
        /// A journal with its manifest.
        case journal
        /// A directory holding only what a journal holds, without the manifest: left by a
        /// process killed while it removed a finished journal (or an empty directory).
        case remnant
        /// Something that is not a journal; the names listed are not DecayBench's.
        case foreignDirectory(unknownEntries: [String])
        /// A file, link or device of that name.
        case notADirectory
    }

    public var state: State {
        var status = stat()
        guard lstat(directory, &status) == 0 else { return .absent }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { return .notADirectory }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let unknown = names.filter { !Self.isJournalEntry($0) || !isOwnShardContent($0) }.sorted()
        if !unknown.isEmpty { return .foreignDirectory(unknownEntries: unknown) }
        return names.contains(Self.manifestName) ? .journal : .remnant
    }

    public var exists: Bool { state != .absent }

    /// What to do about a damaged file when it is one of a journal's saved runs
    /// ("OUT.parts/<key>.h5"): such a file is only a run to compute again. Nil for other paths.
    public static func adviceForDamagedSavedRun(_ path: String) -> String? {
        let url = URL(fileURLWithPath: path)
        guard url.deletingLastPathComponent().lastPathComponent.hasSuffix(".parts"), url.pathExtension == "h5" else { return nil }
        return "it is a saved run of an unfinished grid, so delete it and run with --resume again, which computes that run anew"
    }

    /// Names a journal itself writes: the manifest, shards named by run key, and their
    /// temporary files.
    static func isJournalEntry(_ name: String) -> Bool {
        var base = Substring(name)
        if let range = name.range(of: ".tmp-"), name[range.upperBound...].allSatisfy(\.isNumber), range.upperBound < name.endIndex {
            base = name[..<range.lowerBound]
        }
        if base == manifestName || base == shardMarkerName || base == replacementMarkerName { return true }
        guard base.hasSuffix(".h5") else { return false }
        let key = base.dropLast(3)
        return key.count == 16 && key.allSatisfy(\.isHexDigit)
    }

    /// Whether the entry `name`, if named as a shard ("KEY.h5"), holds what a shard holds: an
    /// HDF5 file. The name alone proves nothing: a user's file of that name is theirs.
    private func isOwnShardContent(_ name: String) -> Bool {
        guard name.hasSuffix(".h5") else { return true }
        let path = directory + "/" + name
        return OutputPath.isHDF5OrEmpty(path) || Self.beginsWithZeros(path)
    }

    /// A part file a power cut caught: its name renamed into place, its blocks never written,
    /// so it reads as zeros (part files are not synced; such a run is redone on --resume).
    private static func beginsWithZeros(_ path: String) -> Bool {
        guard let head = OutputPath.head(of: path, count: 512) else { return false }
        return !head.isEmpty && head.allSatisfy { $0 == 0 }
    }

    /// Creates the directory for a new grid, or for one shard of it ("I/N"; empty for the
    /// whole grid); if it cannot be completed, nothing is left behind.
    /// - Parameter replacing: whether the runs replace a results file that exists now
    ///   (`--overwrite`), so that `--resume` finishes the replacement instead of keeping the file.
    public func create(canonicalText: String, shard: String = "", replacing: Bool = false) throws {
        var created = false
        if state == .absent {
            guard mkdir(directory, 0o755) == 0 else {
                throw RunnerError("cannot create \(directory): \(String(cString: strerror(errno)))")
            }
            created = true
        }
        do {
            // The manifest last: a directory with it is a complete journal.
            try AtomicFile.write(Data(shard.utf8), to: shardMarkerPath)
            if replacing {
                try AtomicFile.write(Data("these runs replace the results file once all of them have finished\n".utf8),
                                     to: replacementMarkerPath)
            } else {
                unlink(replacementMarkerPath)
            }
            try AtomicFile.write(Data(canonicalText.utf8), to: manifestPath)
        } catch {
            if created {
                unlink(shardMarkerPath)
                unlink(replacementMarkerPath)
                rmdir(directory)
            }
            throw RunnerError("cannot start the journal of finished runs: \(error)")
        }
    }

    /// The shard the journal was started for ("I/N"), empty for a whole grid.
    public func shard() -> String {
        (try? String(contentsOfFile: shardMarkerPath, encoding: .utf8)) ?? ""
    }

    /// Whether a complete journal was started by `--overwrite` over an existing results file:
    /// that file's runs are not this journal's, and the file is replaced when the grid is complete.
    public var replacesResults: Bool {
        state == .journal && access(replacementMarkerPath, F_OK) == 0
    }

    /// The canonical grid the journal was started with.
    public func canonicalText() throws -> String {
        try String(contentsOfFile: manifestPath, encoding: .utf8)
    }

    public func shardPath(forKey key: String) -> String { directory + "/\(key).h5" }

    /// Keys with a complete shard.
    public func recordedKeys() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Set(names.filter { $0.hasSuffix(".h5") && Self.isJournalEntry($0) }.map { String($0.dropLast(3)) })
    }

    /// Removes the shards of `keys` (runs the results file now holds), then the manifest and
    /// the directory, in that order, so that a kill part-way leaves a journal a resume still
    /// recognises. Anything else in the directory (a shard whose run the results file lacks,
    /// a file that is not DecayBench's) is kept, and the directory with it.
    /// - Returns: the names left in the directory; empty when it is gone.
    @discardableResult
    public func remove(includedKeys keys: Set<String>) -> [String] {
        guard case let state = self.state, state == .journal || state == .remnant else { return [] }
        // First: once the results file holds these runs, a resume after a kill part-way must
        // read that file, not redo the runs whose shards are already gone.
        unlink(replacementMarkerPath)
        let included = recordedKeys().filter { keys.contains($0) && isOwnShardContent("\($0).h5") }.sorted()
        for (position, key) in included.enumerated() {
            if position == included.count / 2 { PausePoint.reach("cleanup") }
            unlink(shardPath(forKey: key))
        }
        StaleTemporaries.remove(in: directory, where: { Self.isJournalEntry($0) })
        let remaining = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0 != Self.manifestName && $0 != Self.shardMarkerName && $0 != Self.replacementMarkerName }
        guard remaining.isEmpty else { return remaining.sorted() }
        unlink(shardMarkerPath)
        unlink(manifestPath)
        rmdir(directory)
        return []
    }

    /// Takes an exclusive lock on the journal directory, held until the returned lock is
    /// released. The results path's lock file can be deleted while a grid runs; the journal
    /// directory cannot be removed without removing the runs it holds, so a second process
    /// that finds it locked refuses even when the lock file has gone.
    public func lock() throws -> DirectoryLock {
        try DirectoryLock(directory: directory, resultsPath: String(directory.dropLast(".parts".count)))
    }

    /// Whether a `run` holds the journal now, asked without taking its lock (see
    /// `OutputLock.holding`); nil when there is no journal or it cannot be asked. Unlike the
    /// results path's lock file, the journal cannot be deleted while its runs are wanted.
    public func isHeld() -> Bool? {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return OutputLock.probe(descriptor)
    }
}

/// An exclusive `flock` on a directory, released when the process ends.
public final class DirectoryLock {
    private var descriptor: Int32

    init(directory: String, resultsPath: String) throws {
        descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RunnerError("cannot open \(directory): \(String(cString: strerror(errno)))")
        }
        guard OutputLock.lockExclusively(descriptor) else {
            close(descriptor)
            throw RunnerError("another decaybench process is writing \(resultsPath) (it holds \(directory), "
                              + "although \(resultsPath).lock has been removed); wait for it to finish or stop it first")
        }
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// A failure to run a grid, with a sentence a user can act on.
public struct RunnerError: Error, CustomStringConvertible {
    /// Whose move it is: the command line maps these to different exit statuses.
    public enum Kind: Sendable {
        /// What the user gave cannot work (a setting, a data file, an output path); nothing
        /// was computed.
        case input
        /// Something failed while working (a write, the disk, the system).
        case failure
    }

    public let description: String
    public let kind: Kind

    public init(_ description: String, kind: Kind = .failure) {
        self.description = description
        self.kind = kind
    }

    /// A problem with what the user gave.
    public static func input(_ description: String) -> RunnerError {
        RunnerError(description, kind: .input)
    }
}
