import CFaultGuard
import CHDF5
import Foundation

/// Facts about the linked HDF5 library, and the one lock every call of this module takes.
public enum HDF5Library {
    /// The linked library's version, for example "1.10.8"; record it next to results.
    public static let version: String = withLock {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        guard H5get_libversion(&major, &minor, &release) >= 0 else { return "unknown" }
        return "\(major).\(minor).\(release)"
    }

    // Thread-safe HDF5 serialises its own calls, but the high-level H5DS/H5LT calls are outside
    // that guarantee, and a multi-call step (create, write, close) must not interleave with
    // another thread's; one process-wide lock makes the module safe from any Dispatch worker.
    // Recursive because a handle may be released (and closed) while the lock is already held.
    private static let lock = NSRecursiveLock()

    /// How deep the holder of the lock is in nested `withLock` calls; changed only under the lock.
    nonisolated(unsafe) private static var depth = 0

    /// Runs `body` holding the module's lock, with HDF5's stderr error printing switched off.
    ///
    /// libhdf5 1.10 dereferences garbage on some damaged files (one changed byte in a link
    /// name's length is enough). While the lock is held, a segmentation fault or bus error on
    /// this thread while a file opened for reading is the last one opened ends the process with
    /// status 2 and a sentence naming that file, not a crash report; see `guardReads(of:)`.
    static func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        if depth == 0 { cfaultguard_enter() }
        depth += 1
        defer {
            depth -= 1
            if depth == 0 { cfaultguard_leave() }
        }
        // The thread-safe build keeps error settings per thread, so silence this thread now.
        H5Eset_auto2(HDF5Constant.defaultErrorStack, nil, nil)
        return try body()
    }

    /// What a user can do about a file libhdf5 crashed on, added to the message; nil for nothing
    /// more to say. Set by the program once, before it reads any file.
    nonisolated(unsafe) public static var damagedFileAdvice: @Sendable (_ path: String) -> String? = { _ in nil }

    /// Names the file a fault inside libhdf5 is blamed on: `path` when it was just opened for
    /// reading, nil when a file was created or opened for writing. A fault while this process
    /// writes its own file is a bug, not a damaged input, and keeps its crash report. Call
    /// holding the lock.
    static func guardReads(of path: String?) {
        cfaultguard_install(2)
        guard let path else { return cfaultguard_set_message(nil) }
        cfaultguard_set_message("Error: HDF5: libhdf5 crashed while reading \(path): the file is damaged"
                                + (damagedFileAdvice(path).map { "; " + $0 } ?? ""))
    }
}
