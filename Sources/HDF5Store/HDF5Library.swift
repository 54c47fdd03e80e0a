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

    /// Runs `body` holding the module's lock, with HDF5's stderr error printing switched off.
    static func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        // The thread-safe build keeps error settings per thread, so silence this thread now.
        H5Eset_auto2(HDF5Constant.defaultErrorStack, nil, nil)
        return try body()
    }
}
