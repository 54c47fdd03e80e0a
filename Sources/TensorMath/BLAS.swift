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
