import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a read that a C library might crash on in a child process first, so that a damaged
/// file ends in an error message rather than in a crash of the whole program.
///
/// HDF5 1.10 can dereference garbage on some damaged files (found by `ReaderFuzzTests`:
/// a segmentation fault in `H5F__accum_read`). The child is a `fork` of this process that
/// runs the read and exits; only when it ends normally (with a value or a thrown error) does
/// the caller repeat the read in-process, where it behaves the same way.
enum CrashIsolation {
    /// How the trial in the child ended.
    enum Outcome: Equatable {
        /// Returned or threw: the read is safe to repeat in this process.
        case ended
        /// Killed by this signal.
        case crashed(signal: Int32)
        /// Still running after the time allowed (then killed), or could not be started: the
        /// caller reads in-process as it would without isolation.
        case undecided
    }

    /// Runs `trial` in a forked child and reports how it ended.
    ///
    /// - Parameter timeout: seconds the child may take; a read that ends normally in-process
    ///   ends in the child too, so this only bounds the wait for a child that cannot.
    static func probe(timeout: TimeInterval, _ trial: () -> Void) -> Outcome {
        #if os(Linux)
        let child = fork()
        if child == 0 {
            // Die quietly and at once: the Swift runtime's crash reporter would print a
            // backtrace of a crash that the parent reports in a sentence.
            for number in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] { signal(number, SIG_DFL) }
            trial()
            _exit(0)  // no atexit handlers: the parent's libraries stay the parent's
        }
        guard child > 0 else { return .undecided }
        // Poll rather than block, so that the kill on a timeout comes from this thread while
        // the child is still unreaped: a watchdog on another thread could signal a pid that
        // had been reaped and reused meanwhile.
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(child, &status, WNOHANG)
            if reaped == child { break }
            if reaped < 0 {
                guard errno == EINTR else { return .undecided }
                continue
            }
            if Date() >= deadline {
                kill(child, SIGKILL)
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                return .undecided
            }
            usleep(2_000)
        }
        // WIFSIGNALED and WTERMSIG are macros Swift cannot import: the low 7 bits hold the
        // signal, 0 for a normal exit (0x7f means stopped, which waitpid does not report here).
        let signal = status & 0x7f
        return signal == 0 || signal == 0x7f ? .ended : .crashed(signal: signal)
        #else
        return .undecided
        #endif
    }
}
