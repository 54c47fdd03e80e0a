import TensorMath
import XCTest

final class BLASTests: XCTestCase {
    /// Every transpose combination against a naive triple loop in Double.
    func testSgemmMatchesNaiveProduct() {
        var random = DeterministicRandom(seed: 11)
        let m = 5, n = 4, k = 3
        for transA in [BLAS.Transpose.none, .transposed] {
            for transB in [BLAS.Transpose.none, .transposed] {
                let a = (0..<(m * k)).map { _ in Float(random.nextNormal()) }
                let b = (0..<(k * n)).map { _ in Float(random.nextNormal()) }
                var c = [Float](repeating: 1, count: m * n)
                // Stored shapes: A is m×k or k×m, B is k×n or n×k.
                let lda = transA == .none ? k : m, ldb = transB == .none ? n : k
                BLAS.sgemm(transA, transB, m: m, n: n, k: k, alpha: 2, a: a, lda: lda, b: b, ldb: ldb, beta: 0.5, c: &c, ldc: n)
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0
                        for p in 0..<k {
                            let aValue = transA == .none ? a[i * k + p] : a[p * m + i]
                            let bValue = transB == .none ? b[p * n + j] : b[j * k + p]
                            sum += Double(aValue) * Double(bValue)
                        }
                        XCTAssertEqual(Double(c[i * n + j]), 2 * sum + 0.5, accuracy: 1e-5)
                    }
                }
            }
        }
    }

    func testCoreNameIsReported() {
        XCTAssertFalse(BLAS.coreName.isEmpty)
        XCTAssertTrue(BLAS.configuration.contains("OpenBLAS"), BLAS.configuration)
    }
}
