@testable import Optimization
import TensorMath
import XCTest

/// The Adam chains' single loop against their stages, one loop per stage, on values chosen to
/// break a loop that reorders, contracts or skips an operation: ±0, subnormals, numbers near
/// Float's largest, infinities and NaN, in gradients and parameters, with regularized ranges
/// that cut the blocks anywhere.
final class FusedUpdateTests: XCTestCase {
    static let parameterCount = 3001
    static let regularizedRanges = [1500..<2900, 7..<1029]
    static let special: [Float] = [0, -0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude, 3e38, -3e38,
                                   .infinity, -.infinity, .nan, 1e-20, -1e20]

    func optimizer(_ kind: OptimizerSpec.Kind) -> OptimizerSpec {
        OptimizerSpec(kind: kind, learningRate: 3e-3, beta1: 0.85, beta2: 0.99, epsilon: 1e-6)
    }

    /// Every penalty and convention, as the recorded bits cover them.
    static let regularizations = UpdateChainBitPatternTests.regularizations

    func testEveryAdamChainButL1RunsAsOneLoopAndNoOtherChainDoes() {
        for kind in OptimizerSpec.Kind.allCases {
            for (name, regularization) in Self.regularizations {
                let chain = UpdateChain.make(optimizer: optimizer(kind), regularization: regularization,
                                             learningRate: 3e-3, regularizedRanges: Self.regularizedRanges)
                let fuses = kind == .adam && regularization.penalty != .l1
                XCTAssertEqual(chain.fusedAdam != nil, fuses, "\(kind.rawValue)/\(name)")
            }
        }
    }

    func testTheLoopGivesTheStagesBitsAndClearsTheGradientWhenAsked() {
        for (name, regularization) in Self.regularizations where regularization.penalty != .l1 {
            for build in UpdateLoopsBuild.available {
                for clearing in [false, true] {
                    let stages = run(regularization, fused: false, build: build, clearing: false)
                    let fused = run(regularization, fused: true, build: build, clearing: clearing)
                    let label = "\(name), \(build) loops, clearing \(clearing)"
                    assertSameBits(fused.parameters, stages.parameters, "parameters, " + label)
                    assertSameBits(fused.state, stages.state, "moments, " + label)
                    if clearing {
                        XCTAssertTrue(fused.update.allSatisfy { $0.bitPattern == 0 }, "the gradient is not all +0, " + label)
                    } else {
                        assertSameBits(fused.update, stages.update, "u, " + label)
                    }
                }
            }
        }
    }

    /// The stage-by-stage path clears the gradient too, for the chains without a single loop.
    func testTheStagePathClearsTheGradientWhenAsked() {
        let chain = UpdateChain.make(optimizer: optimizer(.sgdMomentum), regularization: RegularizationSpec(penalty: .l1, lambda: 0.01),
                                     learningRate: 0.1, regularizedRanges: Self.regularizedRanges)
        var state = chain.makeState(parameterCount: Self.parameterCount)
        var parameters = [Float](repeating: 1, count: Self.parameterCount)
        var gradient = (0..<Self.parameterCount).map { Float($0 % 7) - 3 }
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                chain.apply(parameters: p, gradient: g, state: &state, context: StepContext(multiplier: 1, lambda: 0.01),
                            clearingGradient: true)
            }
        }
        XCTAssertTrue(gradient.allSatisfy { $0.bitPattern == 0 })
        XCTAssertNotEqual(parameters, [Float](repeating: 1, count: Self.parameterCount), "the step did nothing")
    }

    /// Five steps from seeded values with the special ones strewn among them.
    func run(_ regularization: RegularizationSpec, fused: Bool, build: UpdateLoopsBuild, clearing: Bool)
        -> (parameters: [Float], state: [Float], update: [Float]) {
        var chain = UpdateChain.make(optimizer: optimizer(.adam), regularization: regularization,
                                     learningRate: 3e-3, regularizedRanges: Self.regularizedRanges)
        chain.fusionEnabled = fused
        var random = DeterministicRandom(seed: 5, stream: "fused-update")
        func value(_ i: Int, every: Int) -> Float {
            i % every == 0 ? Self.special[(i / every) % Self.special.count] : Float(random.nextNormal())
        }
        var parameters = (0..<Self.parameterCount).map { value($0, every: 97) }
        var state = chain.makeState(parameterCount: Self.parameterCount)
        var gradient: [Float] = []
        for step in 0..<5 {
            gradient = (0..<Self.parameterCount).map { value($0 + step, every: 89) }
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in
                    chain.apply(parameters: p, gradient: g, state: &state,
                                context: StepContext(multiplier: [1, 0.5, 0.3, 0.9, 0.1][step], lambda: 0.01 + 0.002 * Double(step)),
                                build: build, clearingGradient: clearing)
                }
            }
        }
        return (parameters, state.vectors.array, gradient)
    }

    /// Equal bit patterns, except that any NaN equals any NaN: which operand's payload a NaN
    /// carries is the compiler's choice wherever an operation commutes.
    func assertSameBits(_ actual: [Float], _ expected: [Float], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
        let differing = zip(actual, expected).enumerated().filter { _, pair in
            !(pair.0.bitPattern == pair.1.bitPattern || (pair.0.isNaN && pair.1.isNaN))
        }
        XCTAssertTrue(differing.isEmpty, "\(message): \(differing.count) values differ, first at \(differing.first.map { "\($0.offset): \($0.element)" } ?? "")",
                      file: file, line: line)
    }
}
