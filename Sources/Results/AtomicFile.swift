import Foundation

/// Writes that a crash cannot leave half done: a temporary file beside the target, flushed to
/// disk, then renamed over it in one step.
///
/// Failures are reported in the operating system's words ("No space left on device"), and a
/// failed write leaves neither the temporary file nor a changed target behind.
public enum AtomicFile {
    /// The temporary name beside `path` that this process writes first: "<path>.tmp-<pid>".
    public static func temporaryPath(for path: String) -> String { path + ".tmp-\(getpid())" }

    /// Writes `data` to a temporary file beside `path`, flushes it and renames it over `path`.
    /// - Parameters:
    ///   - durable: fsync before the rename (default); see `replace(_:with:durable:)` for when not.
    ///   - beforeRename: called once the temporary file is complete (tests kill there).
    public static func write(_ data: Data, to path: String, durable: Bool = true, beforeRename: () -> Void = {}) throws {
        let temporary = temporaryPath(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ResultsFileError("cannot write \(path): cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var failure: String?
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        // A full disk may only show itself when the data reach it: fsync and close say so too.
        if failure == nil, durable, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw ResultsFileError("cannot write \(path): \(failure)")
        }
        beforeRename()
        try replace(path, with: temporary, durable: false)  // flushed above when durable
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
