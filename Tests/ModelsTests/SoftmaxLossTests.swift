import Foundation
import TensorMath
import XCTest
@testable import Models

/// The softmax loss computes its exponentials and logarithms a group of rows at a time through
/// CFloatMath; its loss, error count and deltas must be those of the row-by-row loop over the
/// C library's expf and logf it replaced, bit for bit, whatever the group boundaries.
final class SoftmaxLossTests: XCTestCase {
    /// The loss as it was written before: row by row, a call to expf or logf per value.
    private func rowByRowReference(
        logits: [Float], labels: [Int32], outputs: Int, deltaScale: Float
    ) -> (lossSum: Double, errors: Double, deltas: [Float]) {
        var lossSum = 0.0, errors = 0.0
        var deltas = [Float](repeating: 0, count: logits.count)
        for row in 0..<labels.count {
            let z = Array(logits[(row * outputs)..<((row + 1) * outputs)])
            let label = Int(labels[row])
            var maximum = z[0], argmax = 0
            for j in 1..<outputs where z[j] > maximum { maximum = z[j]; argmax = j }
            var sumExp: Float = 0
            for j in 0..<outputs { sumExp += expf(z[j] - maximum) }
            let logSumExp = logf(sumExp)
            lossSum += Double(logSumExp - (z[label] - maximum))
            if argmax != label || !maximum.isFinite { errors += 1 }
            for j in 0..<outputs {
                let probability = expf(z[j] - maximum - logSumExp)
                deltas[row * outputs + j] = (probability - (j == label ? 1 : 0)) * deltaScale
            }
        }
        return (lossSum, errors, deltas)
    }

    /// Equal bits, or both NaN: which NaN a sum of NaNs gives depends on the order the compiler
    /// picks for the addition's operands, in the loop before as in the one now.
    private func sameLoss(_ a: Double, _ b: Double) -> Bool {
        a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
    }

    private func assertMatchesReference(rows: Int, outputs: Int, spread: Float, seed: UInt64, withSpecialLogits: Bool = false,
                                        file: StaticString = #filePath, line: UInt = #line) {
        var random = DeterministicRandom(seed: seed, stream: "softmax-loss")
        var logits = (0..<(rows * outputs)).map { _ in Float(random.nextNormal()) * spread }
        if withSpecialLogits {
            // Values the vector code hands to the C library, or that spoil a whole row.
            let specials: [Float] = [.nan, .infinity, -.infinity, 1e30, -1e30, 0x1p-140, -0.0]
            for (k, special) in specials.enumerated() { logits[k * 7 + 3] = special }
        }
        let labels = (0..<rows).map { _ in Int32(random.nextIndex(below: outputs)) }
        let deltaScale = 1 / Float(rows)
        let expected = rowByRowReference(logits: logits, labels: labels, outputs: outputs, deltaScale: deltaScale)

        let architecture = Architecture(inputs: 3, hidden: [], outputs: outputs, activation: .relu, loss: .softmaxCrossEntropy)
        var lossSum = 0.0, errors = 0.0
        var deltas = [Float](repeating: 0, count: logits.count)
        labels.withUnsafeBufferPointer { labelBuffer in
            logits.withUnsafeBufferPointer { logitBuffer in
                deltas.withUnsafeMutableBufferPointer { deltaBuffer in
                    architecture.accumulateOutputLoss(
                        logits: logitBuffer.baseAddress!, targets: .labels(labelBuffer), firstTarget: 0, rows: rows,
                        deltas: deltaBuffer.baseAddress!, deltaScale: deltaScale, lossSum: &lossSum, errors: &errors)
                }
            }
        }
        XCTAssertEqual(lossSum.isFinite, !withSpecialLogits, file: file, line: line)
        XCTAssertTrue(sameLoss(lossSum, expected.lossSum),
                      "loss \(lossSum) against \(expected.lossSum), \(rows) rows of \(outputs)", file: file, line: line)
        XCTAssertEqual(errors, expected.errors, "\(rows) rows of \(outputs)", file: file, line: line)
        let differing = zip(deltas, expected.deltas).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differing, 0, "\(differing) deltas differ, \(rows) rows of \(outputs)", file: file, line: line)

        // Evaluation (no deltas) adds the same loss and errors.
        var evaluatedLoss = 0.0, evaluatedErrors = 0.0
        labels.withUnsafeBufferPointer { labelBuffer in
            logits.withUnsafeBufferPointer { logitBuffer in
                architecture.accumulateOutputLoss(
                    logits: logitBuffer.baseAddress!, targets: .labels(labelBuffer), firstTarget: 0, rows: rows,
                    deltas: nil, deltaScale: 1, lossSum: &evaluatedLoss, errors: &evaluatedErrors)
            }
        }
        XCTAssertTrue(sameLoss(evaluatedLoss, expected.lossSum), file: file, line: line)
        XCTAssertEqual(evaluatedErrors, expected.errors, file: file, line: line)
    }

    func testTenClassesOverGroupBoundaries() {
        // 1,024 logits make a group of 102 rows: 1, 4 and 101 rows fit one group, 103 and 300 do not.
        for rows in [1, 4, 101, 103, 300] {
            assertMatchesReference(rows: rows, outputs: 10, spread: 3, seed: UInt64(rows))
        }
    }

    /// Infinite, NaN and huge logits: their rows' deltas and the error count are still the loop's.
    func testSpecialLogits() {
        assertMatchesReference(rows: 40, outputs: 10, spread: 3, seed: 5, withSpecialLogits: true)
    }

    /// Logits far apart: most exponentials underflow (x < −88), where the C library takes over.
    func testWideSpreadsReachTheCLibrarysBranches() {
        assertMatchesReference(rows: 64, outputs: 10, spread: 60, seed: 7)
    }

    /// More classes than one group holds: a row at a time, with a padded last vector.
    func testMoreClassesThanAGroup() {
        assertMatchesReference(rows: 3, outputs: 1_500, spread: 5, seed: 11)
        assertMatchesReference(rows: 30, outputs: 3, spread: 2, seed: 13)
    }
}
