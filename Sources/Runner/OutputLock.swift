import Foundation

/// An exclusive claim on a results path, so that two `run`s never write the same file.
///
/// An advisory `flock` on "<path>.lock": the kernel releases it when the process dies,
/// even by `kill -9`, so a crashed run never leaves a stale lock behind.
public final class OutputLock {
    public let lockPath: String
    private var descriptor: Int32 = -1

    public enum LockError: Error, CustomStringConvertible {
        case held(path: String, holder: String)
        case cannotOpen(path: String, reason: String)

        public var description: String {
            switch self {
            case .held(let path, let holder):
                return "another decaybench process (\(holder)) is writing \(path); wait for it to finish or stop it first"
            case .cannotOpen(let path, let reason):
                return "cannot create the lock file \(path): \(reason)"
            }
        }
    }

    /// Takes the lock for `resultsPath` or throws at once if another process holds it.
    public init(resultsPath: String) throws {
        lockPath = resultsPath + ".lock"
        // The holder removes the lock file when it finishes; a process that opened the old
        // file just before that would lock a file no longer at the path. Retry until the
        // locked file is the one the path names.
        for _ in 0..<10 {
            let candidate = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard candidate >= 0 else {
                throw LockError.cannotOpen(path: lockPath, reason: String(cString: strerror(errno)))
            }
            guard flock(candidate, LOCK_EX | LOCK_NB) == 0 else {
                let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                close(candidate)
                throw LockError.held(path: resultsPath, holder: holder.isEmpty ? "unknown process" : holder)
            }
            var locked = stat(), named = stat()
            if fstat(candidate, &locked) == 0, stat(lockPath, &named) == 0,
               locked.st_dev == named.st_dev, locked.st_ino == named.st_ino {
                descriptor = candidate
                let note = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
                _ = ftruncate(candidate, 0)
                _ = note.withCString { write(candidate, $0, strlen($0)) }
                return
            }
            close(candidate)
        }
        throw LockError.cannotOpen(path: lockPath, reason: "the lock file keeps being replaced by another process")
    }

    /// Removes the lock file, then releases the lock (in that order, so that a waiting
    /// process never locks a file that is about to vanish without noticing).
    public func release() {
        guard descriptor >= 0 else { return }
        unlink(lockPath)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
