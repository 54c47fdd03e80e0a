import Foundation

/// Writes that a crash cannot leave half done: a temporary file beside the target, flushed to
/// disk, then renamed over it in one step.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `path`, flushes it and renames it over `path`.
    public static func write(_ data: Data, to path: String) throws {
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
    public static func replace(_ path: String, with temporary: String, durable: Bool = true) throws {
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
            throw ResultsFileError("cannot move \(temporary) to \(path): \(reason)")
        }
    }
}
