// Glibc's `stdout` is a global variable, which Swift 6 refuses to name in a concurrent
// program; this file imports Glibc with its pre-concurrency rules to set its buffering once,
// on the main thread, before anything is printed.
@preconcurrency import Glibc

extension StandardOutput {
    /// Writes each line as it is printed, also to a file or a pipe (which would hold up to 4 KB):
    /// the epoch lines of `train` and the per-run lines of `verify` and `rerun` are then in
    /// `train … > log` when Ctrl-C, SIGTERM or a kill ends the command, and `tail -f` sees
    /// them as they come. One write per line is nothing beside an epoch or a rerun.
    static func writeEachLine() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
