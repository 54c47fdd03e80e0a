@testable import Optimization
import TensorMath
import XCTest

/// The next batch's rows asked into the caches while a chain runs: all of them due by the end,
/// and not one value changed.
final class RowPrefetchTests: XCTestCase {
    func testTheRowsDueFollowTheParametersDoneAndEndWithAllOfThem() {
        var placeholder = 0
        withUnsafePointer(to: &placeholder) { pointer in
            // Only the count is read: a batch far larger than memory checks the arithmetic.
            for rowCount in [0, 1, 128, 1 << 40] {
                let rows = UnsafeBufferPointer(start: pointer, count: rowCount)
                let prefetch = RowPrefetch(base: UnsafeRawPointer(pointer), rowBytes: 784, rows: rows)
                for parameterCount in [1, 7, 1024, 269_322, 1_000_000_000_000] {
                    var due = 0
                    for done in Set([0, 1, parameterCount / 3, parameterCount / 2, parameterCount - 1, parameterCount]).sorted() {
                        let next = prefetch.rowsDue(afterParameters: done, of: parameterCount)
                        XCTAssertGreaterThanOrEqual(next, due, "\(rowCount) rows, \(done) of \(parameterCount) parameters")
                        due = next
                    }
                    XCTAssertEqual(due, rowCount, "\(rowCount) rows over \(parameterCount) parameters")
                    XCTAssertEqual(prefetch.rowsDue(afterParameters: 0, of: parameterCount), 0)
                }
            }
        }
    }

    /// Adam's single loop and the stage-by-stage path (SGD with momentum and L1), with masks that
    /// cut the blocks, give the same bits with and without rows to prefetch, and more rows than
    /// blocks or fewer.
    func testPrefetchingChangesNoValue() {
        let count = 3001
        let chains = [
            UpdateChain.make(optimizer: OptimizerSpec(kind: .adam, learningRate: 3e-3),
                             regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.01),
                             learningRate: 3e-3, regularizedRanges: [7..<1029, 1500..<2900]),
            UpdateChain.make(optimizer: OptimizerSpec(kind: .sgdMomentum, learningRate: 0.1),
                             regularization: RegularizationSpec(penalty: .l1, lambda: 0.01),
                             learningRate: 0.1, regularizedRanges: [7..<1029]),
        ]
        let matrix = [UInt8](repeating: 7, count: 50 * 100)
        for (index, chain) in chains.enumerated() {
            for rowCount in [1, 3, 50] {
                let rows = (0..<rowCount).map { ($0 * 37) % 50 }
                let plain = steps(chain, count: count, prefetch: nil)
                let prefetched = matrix.withUnsafeBytes { matrix in
                    rows.withUnsafeBufferPointer { rows in
                        steps(chain, count: count, prefetch: RowPrefetch(base: matrix.baseAddress!, rowBytes: 100, rows: rows))
                    }
                }
                XCTAssertEqual(prefetched.map(\.bitPattern), plain.map(\.bitPattern), "chain \(index), \(rowCount) rows")
            }
        }
    }

    /// Parameters and moments after three steps from seeded values.
    private func steps(_ chain: UpdateChain, count: Int, prefetch: RowPrefetch?) -> [Float] {
        var random = DeterministicRandom(seed: 8, stream: "row-prefetch")
        var parameters = (0..<count).map { _ in Float(random.nextNormal()) }
        var state = chain.makeState(parameterCount: count)
        for step in 0..<3 {
            var gradient = (0..<count).map { _ in Float(random.nextNormal()) }
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in
                    chain.apply(parameters: p, gradient: g, state: &state,
                                context: StepContext(multiplier: [1, 0.5, 0.3][step], lambda: 0.01),
                                clearingGradient: true, prefetching: prefetch)
                }
            }
        }
        return parameters + state.vectors.array
    }
}
