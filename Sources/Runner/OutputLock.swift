import Foundation

/// An exclusive claim on a results path, so that two `run`s never write the same file.
///
/// An advisory `flock` on "<path>.lock": the kernel releases it when the process dies,
/// even by `kill -9`, so a crashed run never leaves a lock that is still held. The lock file
/// always holds "pid N on HOST" (it is written under a temporary name and linked into place),
/// which is how a lock file of DecayBench's is told from a user's file of the same name: a
/// file that does not read so is refused, never locked, rewritten or removed.
public final class OutputLock {
    public let lockPath: String
    private var descriptor: Int32 = -1

    public enum LockError: Error, CustomStringConvertible {
        case held(path: String, holder: String)
        case cannotOpen(path: String, reason: String)
        case notOurs(path: String)

        public var description: String {
            switch self {
            case .held(let path, let holder):
                return "another decaybench process (\(holder)) is writing \(path); wait for it to finish or stop it first"
            case .cannotOpen(let path, let reason):
                return "cannot create the lock file \(path): \(reason)"
            case .notOurs(let path):
                return "\(path) exists and is not a decaybench lock file (it does not read \"pid N on HOST\"); "
                    + "decaybench needs that name for its lock: move the file away or choose another --out"
            }
        }
    }

    /// Takes the lock for `resultsPath` or throws at once if another process holds it.
    public init(resultsPath: String) throws {
        lockPath = resultsPath + ".lock"
        StaleTemporaries.remove(besides: lockPath)
        let note = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
        // The holder removes the lock file when it finishes; a process that opened the old
        // file just before that would lock a file no longer at the path. Retry until the
        // locked file is the one the path names.
        for _ in 0..<10 {
            try Self.createIfAbsent(lockPath, content: note)
            let candidate = open(lockPath, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
            guard candidate >= 0 else {
                if errno == ENOENT { continue }  // removed by its holder meanwhile
                // A link or a directory at the lock's name is the user's, as any file there that
                // is not a lock: in the way of the output path, not a failure to write.
                if errno == ELOOP || errno == EISDIR { throw LockError.notOurs(path: lockPath) }
                throw LockError.cannotOpen(path: lockPath, reason: String(cString: strerror(errno)))
            }
            guard Self.isLockFile(candidate) else {
                close(candidate)
                throw LockError.notOurs(path: lockPath)
            }
            guard Self.lockExclusively(candidate) else {
                let holder = Self.content(of: candidate).trimmingCharacters(in: .whitespacesAndNewlines)
                close(candidate)
                throw LockError.held(path: resultsPath, holder: holder.isEmpty ? "unknown process" : holder)
            }
            if Self.namesSameFile(lockPath, candidate) {
                descriptor = candidate
                // Overwrite in place (never truncate first), so the file always reads as a lock.
                _ = note.withCString { pwrite(candidate, $0, strlen($0), 0) }
                _ = ftruncate(candidate, off_t(note.utf8.count))
                return
            }
            close(candidate)
        }
        throw LockError.cannotOpen(path: lockPath, reason: "the lock file keeps being replaced by another process")
    }

    /// Makes sure the lock file at the path is still the one this process holds. One deleted
    /// meanwhile (by hand, or by a cleaner) is taken again if no other process has taken the
    /// path since; if one has, this throws `held` naming it, and the caller must not go on
    /// beside it. `run` asks after loading its data, the long moment before its journal,
    /// which is locked too, exists.
    public func reclaim() throws {
        guard descriptor >= 0, !Self.namesSameFile(lockPath, descriptor) else { return }
        let fresh = try OutputLock(resultsPath: String(lockPath.dropLast(".lock".count)))
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = fresh.descriptor
        fresh.descriptor = -1
    }

    /// Removes the lock file if it is still the one this process locked, then releases the
    /// lock (in that order, so that a waiting process never locks a file that is about to
    /// vanish without noticing).
    public func release() {
        guard descriptor >= 0 else { return }
        if Self.namesSameFile(lockPath, descriptor) { unlink(lockPath) }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    /// Whether a `run` is writing `resultsPath`, asked without taking its lock: `.held` with the
    /// holder's "pid N on HOST" while one is, `.free` when none is (a run killed by `kill -9`
    /// holds nothing), `.unknown` when the lock file cannot be read as one.
    public static func holding(ofResultsPath resultsPath: String) -> Holding {
        // Non-blocking: a FIFO of that name must not stop the caller.
        let descriptor = open(resultsPath + ".lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return errno == ENOENT ? .free : .unknown }
        defer { close(descriptor) }
        guard isLockFile(descriptor) else { return .unknown }
        switch probe(descriptor) {
        case true?: return .held(by: content(of: descriptor).trimmingCharacters(in: .whitespacesAndNewlines))
        case false?: return .free
        case nil: return .unknown
        }
    }

    public enum Holding: Equatable, Sendable {
        case held(by: String)
        case free
        case unknown
    }

    /// Whether another process holds an exclusive `flock` on the open file, found by taking a
    /// shared one for an instant; nil when the question cannot be asked.
    static func probe(_ descriptor: Int32) -> Bool? {
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK ? true : nil
    }

    /// An exclusive `flock` without waiting for another writer, but through the instant a
    /// probe (`holding`, `decaybench status`) holds a shared one: a few tries 20 ms apart.
    static func lockExclusively(_ descriptor: Int32) -> Bool {
        for attempt in 0..<5 {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
            guard errno == EWOULDBLOCK, attempt < 4 else { return false }
            usleep(20_000)
        }
        return false
    }

    /// Creates the lock file with its content in one step: written under a temporary name,
    /// then linked to `path`, which fails harmlessly when `path` exists.
    private static func createIfAbsent(_ path: String, content: String) throws {
        var status = stat()
        if lstat(path, &status) == 0 { return }
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LockError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        let written = content.withCString { write(descriptor, $0, strlen($0)) }
        let writeError = written == content.utf8.count ? nil : String(cString: strerror(errno))
        close(descriptor)
        defer { unlink(temporary) }
        if let writeError { throw LockError.cannotOpen(path: path, reason: writeError) }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw LockError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Whether the open file reads as a lock file of DecayBench's: "pid N on HOST".
    static func isLockFile(_ descriptor: Int32) -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_size <= 512 else { return false }
        let text = content(of: descriptor)
        let line = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard !line.contains("\n"), line.hasPrefix("pid ") else { return false }
        let rest = line.dropFirst(4)
        let digits = rest.prefix { $0.isNumber }
        return !digits.isEmpty && rest.dropFirst(digits.count).hasPrefix(" on ")
    }

    private static func content(of descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }

    private static func namesSameFile(_ path: String, _ descriptor: Int32) -> Bool {
        var held = stat(), named = stat()
        return fstat(descriptor, &held) == 0 && lstat(path, &named) == 0
            && held.st_dev == named.st_dev && held.st_ino == named.st_ino
    }
}
