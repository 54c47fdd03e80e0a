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

    // MARK: - Address space for OpenBLAS's buffers

    private let buffer = BLAS.addressSpacePerBuffer

    func testNoLimitMeansNoProblem() {
        XCTAssertNil(BLAS.addressSpaceProblem(threads: 1024, callers: 64, limit: nil, inUse: 1 << 30))
    }

    func testThreadsThatFitThePartOfTheLimitLeftAreAccepted() {
        XCTAssertNil(BLAS.addressSpaceProblem(threads: 10, limit: 1 << 30 + 10 * buffer, inUse: 1 << 30))
        XCTAssertNotNil(BLAS.addressSpaceProblem(threads: 11, limit: 1 << 30 + 10 * buffer, inUse: 1 << 30))
    }

    func testTheRefusalSaysHowManyThreadsFit() throws {
        let problem = try XCTUnwrap(BLAS.addressSpaceProblem(threads: 64, limit: 4 << 30, inUse: 512 << 20))
        // (4 GiB − 512 MiB) ÷ 144 MiB = 24.9: 24 buffers.
        XCTAssertTrue(problem.hasPrefix("64 OpenBLAS threads need about 9.0 GiB of address space"), problem)
        XCTAssertTrue(problem.contains("(ulimit -v, 4.0 GiB) leaves 3.5 GiB"), problem)
        XCTAssertTrue(problem.hasSuffix("use at most 24 BLAS threads, or raise the limit"), problem)
        // A rerun keeps the recorded count: only the limit can change.
        let fixed = try XCTUnwrap(BLAS.addressSpaceProblem(threads: 64, limit: 4 << 30, inUse: 512 << 20, countsAreFixed: true))
        XCTAssertTrue(fixed.hasSuffix("OpenBLAS would wait for the rest forever: raise the limit"), fixed)
    }

    func testConcurrentJobsEachTakeABuffer() throws {
        // Two jobs with 12 threads each: 13 buffers, one more than fit.
        let limit = 12 * buffer
        XCTAssertNil(BLAS.addressSpaceProblem(threads: 11, callers: 2, limit: limit, inUse: 0))
        let problem = try XCTUnwrap(BLAS.addressSpaceProblem(threads: 12, callers: 2, limit: limit, inUse: 0))
        XCTAssertTrue(problem.hasPrefix("2 jobs at once with 12 OpenBLAS threads each need"), problem)
        XCTAssertTrue(problem.hasSuffix("use at most 11 BLAS threads, or use at most 1 job, or raise the limit"), problem)
    }

    func testALimitBelowOneBufferOnlyAsksToRaiseIt() throws {
        let problem = try XCTUnwrap(BLAS.addressSpaceProblem(threads: 1, limit: 250 << 20, inUse: 132 << 20))
        // Below a GiB in MiB: in tenths of a GiB, 144 MiB needed and 118 left both read 0.1.
        XCTAssertTrue(problem.hasPrefix("1 OpenBLAS thread needs about 144 MiB of address space"), problem)
        XCTAssertTrue(problem.contains("(ulimit -v, 250 MiB) leaves 118 MiB"), problem)
        XCTAssertTrue(problem.hasSuffix("OpenBLAS would wait for the rest forever: raise the limit"), problem)
    }

    func testHugeCountsDoNotOverflow() {
        XCTAssertNotNil(BLAS.addressSpaceProblem(threads: Int.max, callers: Int.max, limit: Int.max, inUse: 0))
    }
}
