import Foundation
import Runner

/// Ctrl-C and SIGTERM for the commands that do not handle them themselves (`run` stops its
/// workers at a step boundary and saves what finished): the process ends with status 130, as
/// the exit-status table promises, after undoing what it holds.
///
/// By default a signal ended them with 130 or 143 (by the shell's count) and left a lock
/// file, or a report script still writing into `--out` after `report` had gone.
enum Interruption {
    /// What to undo on an interrupt: release a lock, stop a child process.
    private static let cleanups = CleanupList()
    /// Kept for the life of the process: a released source stops delivering.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Installs the handlers; call once, before the command runs.
    static func exitOnSignal() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                cleanups.runAll()
                DiagnosticOutput.write("interrupted\n")
                // Not exit(): its handlers would shut HDF5 down under a write the main thread
                // may be making. A temporary left half-written is removed by the next writer.
                _exit(ExitStatus.interrupted)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Registers `cleanup` to run on an interrupt until the returned token is released.
    static func onInterrupt(_ cleanup: @escaping @Sendable () -> Void) -> Int { cleanups.add(cleanup) }

    /// Registers the removal of `lock`'s file (nil: nothing), as its release would do.
    static func onInterrupt(release lock: OutputLock?) -> Int {
        let path = lock?.lockPath
        return onInterrupt { if let path { unlink(path) } }
    }

    static func remove(_ token: Int) { cleanups.remove(token) }
}

private final class CleanupList: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var entries: [Int: @Sendable () -> Void] = [:]

    func add(_ cleanup: @escaping @Sendable () -> Void) -> Int {
        lock.lock(); defer { lock.unlock() }
        next += 1
        entries[next] = cleanup
        return next
    }

    func remove(_ token: Int) {
        lock.lock(); defer { lock.unlock() }
        entries[token] = nil
    }

    func runAll() {
        lock.lock()
        let all = Array(entries.values)
        lock.unlock()
        all.forEach { $0() }
    }
}
