import Foundation

/// The runs of a grid that have finished so far, one small results file each, in
/// "<results>.parts/".
///
/// Each shard is written to a temporary name and renamed into place, so a shard either
/// exists whole or not at all: `kill -9` at any moment loses at most the runs in flight.
/// The directory also holds the grid's canonical form, so that a resume can check it is
/// continuing the same grid.
public struct RunJournal: Sendable {
    public let directory: String
    private var manifestPath: String { directory + "/grid.canonical" }

    public init(resultsPath: String) {
        directory = resultsPath + ".parts"
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: directory) }

    /// Creates the directory for a new grid.
    public func create(canonicalText: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.writeAtomically(Data(canonicalText.utf8), to: manifestPath)
    }

    /// The canonical grid the journal was started with.
    public func canonicalText() throws -> String {
        try String(contentsOfFile: manifestPath, encoding: .utf8)
    }

    public func shardPath(forKey key: String) -> String { directory + "/\(key).h5" }

    /// Keys with a complete shard.
    public func recordedKeys() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Set(names.filter { $0.hasSuffix(".h5") }.map { String($0.dropLast(3)) })
    }

    /// Removes the journal once the full results file is written.
    public func remove() throws {
        try FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `data` to a temporary file beside `path`, flushes it and renames it over `path`.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        try replace(path, with: temporary)
    }

    /// Renames `temporary` to `path` in one step, first making it durable (fsync) unless
    /// `durable` is false.
    ///
    /// - Parameters:
    ///   - durable: false for files that can be recomputed, such as a run's shard: a rename
    ///     alone survives `kill -9`, and a shard cut short by a power loss reads as unreadable
    ///     and its run is redone on `--resume`. An fsync per run can cost more than the run.
    static func replace(_ path: String, with temporary: String, durable: Bool = true) throws {
        if durable {
            let descriptor = open(temporary, O_RDONLY)
            if descriptor >= 0 {
                fsync(descriptor)
                close(descriptor)
            }
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw HarnessError("cannot move \(temporary) to \(path): \(reason)")
        }
    }
}

/// A harness failure with a sentence a user can act on.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
