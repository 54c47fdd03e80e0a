@testable import Optimization
import TensorMath
import XCTest

final class UpdateStateTests: XCTestCase {
    /// Adam's two vectors each start on a cache line, whatever the parameter count, and the
    /// floats between one vector's end and the next line are never written.
    func testEveryVectorStartsOnACacheLineAndThePaddingStaysZero() {
        let floatsPerLine = AlignedFloats.alignment / MemoryLayout<Float>.stride
        for count in [1, 15, 16, 17, 3001] {
            let chain = UpdateChain.make(optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-2), regularization: RegularizationSpec(),
                                         learningRate: 1e-2, regularizedRanges: [0..<count])
            var state = chain.makeState(parameterCount: count)
            XCTAssertEqual(state.vectorStride % floatsPerLine, 0, "\(count)")
            XCTAssertTrue(state.vectorStride >= count && state.vectorStride < count + floatsPerLine, "\(count)")
            var parameters = (0..<count).map { Float($0 % 7) - 3 }
            for step in 0..<3 {
                var gradient = (0..<count).map { Float(($0 + step) % 5) - 2.5 }
                parameters.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeMutableBufferPointer { g in
                        chain.apply(parameters: p, gradient: g, state: &state, context: StepContext(multiplier: 1, lambda: 0))
                    }
                }
            }
            let vectors = state.vectors.array
            XCTAssertEqual(vectors.count, 2 * state.vectorStride, "\(count)")
            state.vectors.withUnsafeBufferPointer { base in
                for start in [0, state.vectorStride] {
                    XCTAssertEqual(Int(bitPattern: base.baseAddress! + start) % AlignedFloats.alignment, 0, "\(count), vector at \(start)")
                }
            }
            for start in [0, state.vectorStride] {
                XCTAssertTrue(vectors[(start + count)..<(start + state.vectorStride)].allSatisfy { $0.bitPattern == 0 }, "\(count)")
                XCTAssertTrue(vectors[start..<(start + count)].contains { $0 != 0 }, "the moments were written (\(count))")
            }
        }
    }
}
