import COpenBLAS
import Foundation

/// Matrix products through OpenBLAS's `cblas_sgemm`, row-major throughout.
public enum BLAS {
    /// Whether an operand is used as stored or transposed.
    public enum Transpose: Sendable {
        case none, transposed
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// C ← alpha·op(A)·op(B) + beta·C, with op(A) of shape m×k, op(B) k×n and C m×n.
    ///
    /// - Parameters:
    ///   - lda, ldb, ldc: row strides of A, B and C as stored (row-major).
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas,
                    blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// Sets OpenBLAS's thread count for the whole process.
    ///
    /// Parallel grid workers each run with one BLAS thread: oversubscribing the
    /// cores is slower than one thread per worker.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// How many threads OpenBLAS runs products on now: before the first `setThreadCount`, the
    /// count it chose when it loaded (OPENBLAS_NUM_THREADS, or one per core).
    public static var threadCount: Int {
        Int(openblas_get_num_threads())
    }

    /// Address space OpenBLAS maps for each buffer it works in: one for every thread of a
    /// product and one for every thread that calls it. Measured with Debian's 0.3.21 on
    /// x86-64: the process's VmSize grows by 130–136 MiB per thread once a large product has
    /// run on all of them (a 128 MiB buffer, the thread's stack and its share of malloc's arenas).
    public static let addressSpacePerBuffer = 144 << 20

    /// Why `threads` OpenBLAS threads, called from `callers` threads at once, cannot work
    /// within an address-space limit (`ulimit -v`) of `limit` bytes of which `inUse` are
    /// mapped already; nil when they can, or when there is no limit. `countsAreFixed` (a
    /// rerun, which uses the recorded count) leaves out the advice to use fewer.
    ///
    /// Past the limit OpenBLAS does not fail: it retries its allocation forever, or takes what
    /// the rest of the process needs, which then aborts. So this is asked before training.
    public static func addressSpaceProblem(threads: Int, callers: Int = 1, limit: Int?, inUse: Int?,
                                           countsAreFixed: Bool = false) -> String? {
        guard let limit else { return nil }
        let available = max(0, limit - (inUse ?? 0))
        let buffers = threads.addingReportingOverflow(callers - 1)
        let needed = buffers.partialValue.multipliedReportingOverflow(by: addressSpacePerBuffer)
        guard buffers.overflow || needed.overflow || needed.partialValue > available else { return nil }
        let fitting = available / addressSpacePerBuffer
        let who = callers > 1 ? "\(callers) jobs at once with \(threads) OpenBLAS thread\(threads == 1 ? "" : "s") each need"
                              : "\(threads) OpenBLAS thread\(threads == 1 ? " needs" : "s need")"
        var remedies: [String] = []
        if !countsAreFixed && fitting - (callers - 1) >= 1 && threads > 1 {
            remedies.append("use at most \(fitting - (callers - 1)) BLAS thread\(fitting - (callers - 1) == 1 ? "" : "s")")
        }
        if !countsAreFixed && callers > 1 && fitting - threads + 1 >= 1 {
            remedies.append("use at most \(fitting - threads + 1) job\(fitting - threads + 1 == 1 ? "" : "s")")
        }
        remedies.append("raise the limit")
        return "\(who) about \(size(needed.overflow ? Int.max : needed.partialValue)) of address space "
            + "(\(addressSpacePerBuffer >> 20) MiB for each of \(buffers.overflow ? Int.max : buffers.partialValue) work buffers), "
            + "but this process's address-space limit (ulimit -v, \(size(limit))) leaves \(size(available)); "
            + "OpenBLAS would wait for the rest forever: " + remedies.joined(separator: ", or ")
    }

    /// MiB below a GiB, where a tenth of a GiB could not tell 118 MiB left from 144 MiB needed.
    private static func size(_ bytes: Int) -> String {
        bytes < 1 << 30 ? "\(bytes >> 20) MiB" : String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }

    /// The kernel family OpenBLAS selected (for example "Haswell"); recorded with every result.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// OpenBLAS's build description, which starts with its version.
    public static var configuration: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
