import CFloatMath
import Dispatch
import FloatMathChecks
import Foundation
import XCTest

/// CFloatMath's array exp and log give the C library's bits for every float: the softmax loss
/// moved from expf/logf to them, and every stored result depends on that loss to the last bit.
final class ExpLogTests: XCTestCase {
    /// All 2³² bit patterns, in four slices per core.
    private func differencesOverAllFloats(_ function: floatmathchecks_function) -> (count: UInt64, first: UInt32?) {
        let slices = max(1, ProcessInfo.processInfo.activeProcessorCount) * 4
        let width = (UInt64(UInt32.max) + 1) / UInt64(slices)
        // Each slice writes only its own element.
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<(UInt64, UInt32)>.allocate(capacity: slices)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let first = UInt64(slice) * width
            let last = slice == slices - 1 ? UInt64(UInt32.max) : first + width - 1
            var firstDifference: UInt32 = 0
            let count = floatmathchecks_count_differences(function, UInt32(first), UInt32(last), &firstDifference)
            results[slice] = (count, firstDifference)
        }
        let count = results.reduce(0) { $0 + $1.0 }
        return (count, results.first { $0.0 > 0 }?.1)
    }

    func testExpMatchesTheCLibraryOnEveryFloat() {
        let (count, first) = differencesOverAllFloats(floatmathchecks_exp)
        XCTAssertEqual(count, 0, "exp differs from expf on \(count) floats, the first \(first.map { String(Float(bitPattern: $0)) } ?? "")")
    }

    func testLogMatchesTheCLibraryOnEveryFloat() {
        let (count, first) = differencesOverAllFloats(floatmathchecks_log)
        XCTAssertEqual(count, 0, "log differs from logf on \(count) floats, the first \(first.map { String(Float(bitPattern: $0)) } ?? "")")
    }

    /// The AVX2 build is the one compared above wherever the processor has it, which every
    /// machine the project runs on has; elsewhere both functions are the C library's own.
    func testTheVectorBuildRunsWhereTheProcessorHasIt() throws {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            throw XCTSkip("no /proc/cpuinfo flags to compare with")
        }
        let words = Set(flags.split(separator: " ").map(String.init))
        XCTAssertEqual(cfloatmath_vector_exp_log(), words.contains("avx2") && words.contains("fma"))
    }

    /// In place, with special values (NaN, infinities, zeros, subnormals, |x| ≥ 88) among
    /// ordinary ones, in whole vectors and in the padded last one of every length: the C
    /// library's result for each, not a lane of another or of the padding.
    func testInPlaceWithSpecialValuesAmongOrdinaryOnes() {
        let values: [Float] = [-1.5, .nan, 100, -0.0, 0x1p-140, -200, .infinity, -.infinity,
                               2.5, -88.5, 1, 0, -3, 89, Float(bitPattern: 0x7fa0_0001), 0.3, 7]
        for count in 1...values.count {
            var exps = Array(values.prefix(count)), logs = exps
            exps.withUnsafeMutableBufferPointer { cfloatmath_exp($0.baseAddress!, $0.baseAddress!, $0.count) }
            logs.withUnsafeMutableBufferPointer { cfloatmath_log($0.baseAddress!, $0.baseAddress!, $0.count) }
            for (i, x) in values.prefix(count).enumerated() {
                XCTAssertEqual(exps[i].bitPattern, expf(x).bitPattern, "exp(\(x)) at \(i) of \(count)")
                XCTAssertEqual(logs[i].bitPattern, logf(x).bitPattern, "log(\(x)) at \(i) of \(count)")
            }
        }
    }
}
