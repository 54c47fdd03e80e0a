import Foundation

/// Named moments at which a test can hold the process still, to kill it exactly there.
///
/// When the environment variable DECAYBENCH_PAUSE_AT names the moment, the process prints
/// "paused at NAME (pid N)" on stderr and sleeps for DECAYBENCH_PAUSE_SECONDS (default 60);
/// otherwise `reach` does nothing. Used by the `kill -9` tests of the final write and the
/// journal's removal, which are too short to hit reliably by timing alone, and to take the
/// journal's files away just before a grid reads them back ("collect"), or its lock file while
/// it has loaded its data and has no journal yet ("loaded").
enum PausePoint {
    static func reach(_ name: String) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DECAYBENCH_PAUSE_AT"] == name else { return }
        DiagnosticOutput.write("paused at \(name) (pid \(getpid()))\n")
        let seconds = Double(environment["DECAYBENCH_PAUSE_SECONDS"] ?? "") ?? 60
        Thread.sleep(forTimeInterval: seconds)
    }
}
