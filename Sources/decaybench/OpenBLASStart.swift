import Foundation
import HDF5Store
import TensorMath

/// Under an address-space limit, starts the process again with one OpenBLAS thread, so that
/// OpenBLAS's own start cannot keep it from ever exiting.
///
/// OpenBLAS starts a worker thread for every core when it loads, before `main`, and each worker
/// maps its 128 MiB buffer at once. Under `ulimit -v` (or a batch system's limit) a worker whose
/// buffer does not fit retries its allocation forever, and `exit` waits for it: below about
/// 300 MB on two cores even `decaybench --version` hung, spinning on one core, and on a node
/// with 64 cores, by the same arithmetic, a limit of 8 GB would do the same. Those workers are
/// never needed: every command sets the thread count it trains with (`--blas-threads`, one by
/// default) before its first product, after checking that their buffers fit
/// (`BLAS.addressSpaceProblem`), and OpenBLAS then starts the workers it lacks. It reads
/// OPENBLAS_NUM_THREADS only when it loads, so the process runs itself again with the variable
/// set to 1 and, once running, puts it back as the user had it, for the processes it starts
/// (`report`'s Python).
enum OpenBLASStart {
    static let threadsVariable = "OPENBLAS_NUM_THREADS"
    /// Carries the user's OPENBLAS_NUM_THREADS across the new start: "unset", or "set:" and its value.
    static let savedVariable = "DECAYBENCH_SAVED_OPENBLAS_NUM_THREADS"

    /// Called first in `main`, before anything is printed, opened or started.
    static func restartWithOneThreadIfLimited() {
        if let saved = environmentValue(savedVariable) {
            restore(saved)
            return
        }
        // One thread at load (one core, or OPENBLAS_NUM_THREADS=1) started no worker.
        guard ProcessMemory.addressSpaceLimit != nil, BLAS.threadCount > 1 else { return }
        let current = environmentValue(threadsVariable)
        let saved = current.map { "set:" + $0 } ?? "unset"
        setenv(savedVariable, saved, 1)
        setenv(threadsVariable, "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // No new start (no /proc): go on as before, with OpenBLAS's workers as they are.
        restore(saved)
    }

    private static func restore(_ saved: String) {
        if saved.hasPrefix("set:") {
            setenv(threadsVariable, String(saved.dropFirst(4)), 1)
        } else {
            unsetenv(threadsVariable)
        }
        unsetenv(savedVariable)
    }

    private static func environmentValue(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
