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

    /// Makes `temporary` durable and renames it to `path` in one step.
    public static func replace(_ path: String, with temporary: String) throws {
        let descriptor = open(temporary, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ResultsFileError("cannot move \(temporary) to \(path): \(reason)")
        }
    }
}
