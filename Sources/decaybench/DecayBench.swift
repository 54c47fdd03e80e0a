import ArgumentParser
import Foundation
import HDF5Store
import Results
import Runner

@main
struct DecayBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decaybench",
        abstract: "Experiments on weight decay: L2 penalty versus decoupled decay (SGDW, AdamW).",
        discussion: """
        Exit status: 0 done; 1 a failure while working (a write, the disk); 2 the input is wrong \
        (a flag, a grid file, a setting, a data file, an output path); 3 the work ran but its \
        outcome is bad (runs failed or missing, a rerun differs, a regression); 130 interrupted.
        """,
        version: Provenance.harnessVersion,
        subcommands: [Train.self, Plan.self, Run.self, Merge.self, Status.self, Slurm.self, Compare.self,
                      Inspect.self, Rerun.self, Verify.self, Claims.self, Report.self]
    )

    /// ArgumentParser's own `main`, with the exit statuses of `ExitStatus` in place of its
    /// 64 for usage mistakes and 1 for everything else.
    static func main() {
        OpenBLASStart.restartIfNeeded()
        // A reader that closes the pipe early (`decaybench train … | head -1`) must not end the
        // process by signal before it has saved what it computed: writes to the pipe fail instead.
        signal(SIGPIPE, SIG_IGN)
        // A saved run that crashes libhdf5 is only a run to compute again: the message says so.
        HDF5Library.damagedFileAdvice = RunJournal.adviceForDamagedSavedRun
        do {
            var command = try parseAsRoot()
            if !(command is Run) { Interruption.exitOnSignal() }
            try command.run()
            try StandardOutput.checkWritten()
        } catch {
            let parserStatus = exitCode(for: error)
            let status = ExitStatus.of(error, parserStatus: parserStatus)
            // Help, version and explicit statuses print (or not) exactly as ArgumentParser does.
            if status == parserStatus.rawValue { exit(withError: error) }
            let text = fullMessage(for: error)
            if !text.isEmpty { DiagnosticOutput.write(text + "\n") }
            Foundation.exit(status)
        }
    }
}

/// Whether what the commands printed reached standard output.
enum StandardOutput {
    /// Throws when a print to standard output failed (a full disk, /dev/full), which `print`
    /// alone never reports. A reader that stopped reading (a broken pipe) is not an error: it
    /// had what it wanted.
    static func checkWritten() throws {
        errno = 0
        // Every output stream (naming `stdout` itself is refused by Swift 6's concurrency
        // checks); what is still buffered there fails again if the earlier writes failed.
        let flushFailed = fflush(nil) != 0
        let reason = flushFailed ? (errno == 0 ? "a write failed" : String(cString: strerror(errno))) : failedLine
        guard let reason, !isPipe else { return }
        throw CommandFailure("cannot write to standard output: \(reason)")
    }

    /// Prints `text` and writes it out at once, where `print` would keep it in a 4 KB buffer
    /// when standard output is a file or a pipe: the lines of `train`, `verify` and `rerun` are
    /// progress, and an interrupted command ends with `_exit`, which would drop them
    /// (`decaybench train … > log`, Ctrl-C: an empty log), as `tail -f` would not see them
    /// come. A failed write is remembered with its reason for `checkWritten`.
    static func printNow(_ text: String) {
        print(text)
        errno = 0
        if fflush(nil) != 0, failedLine == nil {
            failedLine = errno == 0 ? "a write failed" : String(cString: strerror(errno))
        }
    }

    /// The reason the first `printNow` failed, if one did. Written and read only by the
    /// command's own thread (the commands print from it alone).
    nonisolated(unsafe) private static var failedLine: String?

    /// A pipe or socket: the only way its writes fail is a reader that has gone (the error of
    /// an earlier write is not kept, so it is told by the kind of file).
    private static var isPipe: Bool {
        var status = stat()
        guard fstat(STDOUT_FILENO, &status) == 0 else { return false }
        let kind = status.st_mode & S_IFMT
        return kind == S_IFIFO || kind == S_IFSOCK
    }
}
