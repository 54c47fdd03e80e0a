import Foundation
import HDF5Store
import TensorMath

/// Starts the process again, before it does anything, when OpenBLAS loaded in a way only its
/// environment can change: with worker threads under an address-space limit, or with kernels
/// slower than others this processor runs. OpenBLAS reads OPENBLAS_NUM_THREADS and
/// OPENBLAS_CORETYPE only when it loads, before `main`, so the process runs itself again with
/// the variables set and, once running, puts them back as the user had them, for the processes
/// it starts (`report`'s Python).
///
/// Threads: OpenBLAS starts a worker thread for every core when it loads, and each worker
/// maps its 128 MiB buffer at once. Under `ulimit -v` (or a batch system's limit) a worker whose
/// buffer does not fit retries its allocation forever, and `exit` waits for it: below about
/// 300 MB on two cores even `decaybench --version` hung, spinning on one core, and on a node
/// with 64 cores, by the same arithmetic, a limit of 8 GB would do the same. Those workers are
/// never needed: every command sets the thread count it trains with (`--blas-threads`, one by
/// default) before its first product, after checking that their buffers fit
/// (`BLAS.addressSpaceProblem`), and OpenBLAS then starts the workers it lacks. So under a
/// limit the process starts again with OPENBLAS_NUM_THREADS=1.
///
/// Kernels: on Zen 4 the process starts again with OPENBLAS_CORETYPE=Haswell
/// (`BLASCoreChoice` says why and where). The core a run used is recorded with it.
enum OpenBLASStart {
    static let threadsVariable = "OPENBLAS_NUM_THREADS"
    /// The variables a new start may set, in the order they are decided.
    static let variables = [threadsVariable, BLASCoreChoice.variable]

    /// Where the user's value of `variable` travels across the new start: "unset", or "set:"
    /// and the value. DECAYBENCH_SAVED_OPENBLAS_NUM_THREADS for the thread count.
    static func savedVariable(_ variable: String) -> String { "DECAYBENCH_SAVED_" + variable }

    /// Called first in `main`, before anything is printed, opened or started.
    static func restartIfNeeded() {
        let saved = variables.filter { environmentValue(savedVariable($0)) != nil }
        if !saved.isEmpty {
            // The new start: OpenBLAS loaded as asked. Never a third start, even if it did not.
            saved.forEach(restore)
            return
        }
        let settings = neededSettings()
        guard !settings.isEmpty else { return }
        for (variable, value) in settings {
            setenv(savedVariable(variable), environmentValue(variable).map { "set:" + $0 } ?? "unset", 1)
            setenv(variable, value, 1)
        }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // No new start (no /proc): go on as before, with OpenBLAS as it loaded.
        settings.map(\.variable).forEach(restore)
    }

    /// The variables to set for the new start, and their values; empty when OpenBLAS loaded well.
    private static func neededSettings() -> [(variable: String, value: String)] {
        var settings: [(variable: String, value: String)] = []
        // One thread at load (one core, or OPENBLAS_NUM_THREADS=1) started no worker.
        if ProcessMemory.addressSpaceLimit != nil, BLAS.threadCount > 1 {
            settings.append((threadsVariable, "1"))
        }
        if let core = BLASCoreChoice.replacement(forPicked: BLAS.coreName, amdFamily: BLASCoreChoice.amdFamily,
                                                  requested: environmentValue(BLASCoreChoice.variable)) {
            settings.append((BLASCoreChoice.variable, core))
        }
        return settings
    }

    private static func restore(_ variable: String) {
        let saved = environmentValue(savedVariable(variable)) ?? "unset"
        if saved.hasPrefix("set:") {
            setenv(variable, String(saved.dropFirst(4)), 1)
        } else {
            unsetenv(variable)
        }
        unsetenv(savedVariable(variable))
    }

    private static func environmentValue(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
