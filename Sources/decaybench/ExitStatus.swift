import ArgumentParser
import Datasets
import GridFiles
import Planning
import Runner
import Training

/// The exit statuses of every command, one meaning each, so scripts and nightly jobs can
/// tell a mistake in the input from a failure while working.
///
/// | status | meaning |
/// |---|---|
/// | 0 | done (diverged runs are results, not failures) |
/// | 1 | a failure while working: a write, the disk, the system; nothing the input could fix |
/// | 2 | the input is wrong: a flag, a grid file, a setting, a data file, an output path; nothing was trained |
/// | 3 | the work ran but its outcome is bad: runs failed (`run`, `train`, `merge`) or are missing (`merge`, `run`), a rerun differs (`rerun`, `verify`), a regression or lost runs (`compare`) |
/// | 130 | interrupted (Ctrl-C or SIGTERM); `run --resume` continues |
enum ExitStatus {
    static let done: Int32 = 0
    static let failure: Int32 = 1
    static let badInput: Int32 = 2
    /// The work ran but its outcome is bad: runs failed or are missing, a rerun differs, a
    /// regression.
    static let badOutcome: Int32 = 3
    static let interrupted: Int32 = 130

    /// The status for an error that ended a command; `parserStatus` is what ArgumentParser
    /// would use (64 for usage mistakes, 0 for help).
    static func of(_ error: Error, parserStatus: ExitCode) -> Int32 {
        switch error {
        case let code as ExitCode:
            return code.rawValue
        case let error as RunnerError:
            return error.kind == .input ? badInput : failure
        case let error as CommandFailure:
            return error.isInputProblem ? badInput : failure
        case OutputLock.LockError.notOurs:
            // A user's file at the lock's name: the output path needs changing, as for any
            // other file of the user's in the way.
            return badInput
        case is GridFileError, is ConfigurationError, is DataError, is ShardError:
            return badInput
        default:
            return parserStatus == .validationFailure ? badInput : parserStatus.rawValue
        }
    }
}
