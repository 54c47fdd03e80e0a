import Foundation
import Results

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
    private var shardMarkerPath: String { directory + "/shard" }

    public init(resultsPath: String) {
        directory = resultsPath + ".parts"
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: directory) }

    /// Creates the directory for a new grid, or for one shard of it ("I/N"; empty for the whole grid).
    public func create(canonicalText: String, shard: String = "") throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(Data(shard.utf8), to: shardMarkerPath)
        try AtomicFile.write(Data(canonicalText.utf8), to: manifestPath)
    }

    /// The shard the journal was started for ("I/N"), empty for a whole grid.
    public func shard() -> String {
        (try? String(contentsOfFile: shardMarkerPath, encoding: .utf8)) ?? ""
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
}

/// A failure to run a grid, with a sentence a user can act on.
public struct RunnerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
