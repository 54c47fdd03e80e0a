import Foundation

/// An exclusive claim on a results path, so that two `run`s never write the same file.
///
/// An advisory `flock` on "<path>.lock": the kernel releases it when the process dies,
/// even by `kill -9`, so a crashed run never leaves a stale lock behind.
public final class OutputLock {
    public let lockPath: String
    private var descriptor: Int32

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
        descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LockError.cannotOpen(path: lockPath, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw LockError.held(path: resultsPath, holder: holder.isEmpty ? "unknown process" : holder)
        }
        let note = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { write(descriptor, $0, strlen($0)) }
    }

    /// Releases the lock and removes the lock file.
    public func release() {
        guard descriptor >= 0 else { return }
        unlink(lockPath)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
