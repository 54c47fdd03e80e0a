import Optimization
import TensorMath
import XCTest

/// Every chain's numbers, pinned to the last bit.
///
/// Each optimizer under each penalty takes a few steps on seeded parameters and gradients;
/// the hash of the final parameters' bit patterns is compared with the value recorded from
/// the code at commit 7e08500, which ran one scalar pass per stage over the whole vector.
/// Any change in the order or kind of the per-element operations (a fused loop that
/// reassociates, a contracted multiply-add, a different bias correction) changes a hash:
/// the test prints the new one. Correctness of the formulas themselves is checked against
/// hand-written rules in `UpdateChainTests`; this test guards that they never drift.
/// To record new values (only for a change of numbers that is intended and explained in its
/// commit), empty `expected` and run the test: it prints the table to paste here.
/// Every build of the element-wise loops this processor runs (baseline x86-64 and AVX2) must
/// give the recorded bits.
final class UpdateChainBitPatternTests: XCTestCase {
    /// Long enough to span several blocks of any block size up to 2048, with a remainder;
    /// the regularized ranges start and end off any power-of-two boundary, and one is out of order.
    static let parameterCount = 5003
    static let regularizedRanges = [3011..<4500, 0..<2999]
    static let multipliers: [Double] = [1, 0.9, 0.5, 0.25, 0.1]
    static let lambdas: [Double] = [0.01, 0.012, 0.009, 0.02, 0.015]

    static let optimizers: [(String, OptimizerSpec)] = [
        ("sgd", OptimizerSpec(kind: .sgd, learningRate: 0.05)),
        ("sgd-momentum", OptimizerSpec(kind: .sgdMomentum, learningRate: 0.05, momentum: 0.9)),
        ("sgd-nesterov", OptimizerSpec(kind: .sgdNesterov, learningRate: 0.05, momentum: 0.8)),
        ("adam", OptimizerSpec(kind: .adam, learningRate: 3e-3, beta1: 0.85, beta2: 0.99, epsilon: 1e-6)),
        ("amsgrad", OptimizerSpec(kind: .amsgrad, learningRate: 3e-3)),
    ]
    static let regularizations: [(String, RegularizationSpec)] = [
        ("none", RegularizationSpec()),
        ("l2", RegularizationSpec(penalty: .l2, lambda: 0.01)),
        ("l1", RegularizationSpec(penalty: .l1, lambda: 0.01)),
        ("decoupled-torch", RegularizationSpec(penalty: .decoupled, lambda: 0.01, decayConvention: .torch)),
        ("decoupled-paper", RegularizationSpec(penalty: .decoupled, lambda: 0.01, decayConvention: .paper)),
        // ‖w‖² of 4,488 standard normals is about 4,488: the projection acts on every step.
        ("norm-ball", RegularizationSpec(penalty: .normBall, lambda: 1000)),
    ]

    /// Recorded from commit 7e08500 (one scalar pass per stage); see the type's comment.
    static let expected: [String: UInt64] = [
        "sgd/none": 0x8df8a56e4badd9e7,
        "sgd/l2": 0x6a609f62d851a23d,
        "sgd/l1": 0x5b0af0220a479b4a,
        "sgd/decoupled-torch": 0x6a609f62d851a23d,
        "sgd/decoupled-paper": 0x637de54cb196d883,
        "sgd/norm-ball": 0xa10fa86b3872eac1,
        "sgd-momentum/none": 0x3b0ac96c0017ec25,
        "sgd-momentum/l2": 0xa930c3a23a77726c,
        "sgd-momentum/l1": 0x5968fc01d440d6e2,
        "sgd-momentum/decoupled-torch": 0xa82d2a98339cf678,
        "sgd-momentum/decoupled-paper": 0x3dd24107c3ec5b09,
        "sgd-momentum/norm-ball": 0xd872fac869fc911b,
        "sgd-nesterov/none": 0x6ab31a3fe5e8ee2b,
        "sgd-nesterov/l2": 0x55213a9f60e520d3,
        "sgd-nesterov/l1": 0x503a96e1f6c5adb7,
        "sgd-nesterov/decoupled-torch": 0x230e9ead61e561b9,
        "sgd-nesterov/decoupled-paper": 0xc444a068db62f7fd,
        "sgd-nesterov/norm-ball": 0x497d13448ae19aa9,
        "adam/none": 0x42654d99c6b1ce1e,
        "adam/l2": 0x1ac41e5a8318f83a,
        "adam/l1": 0x822577e06f42204c,
        "adam/decoupled-torch": 0xf4ef0f76459023ca,
        "adam/decoupled-paper": 0xa72443a37ea27ac,
        "adam/norm-ball": 0x2299e6bea883864a,
        "amsgrad/none": 0xc5acb249a1a339ac,
        "amsgrad/l2": 0x2e5e1a70d9f39cd,
        "amsgrad/l1": 0x3ca18e89e51fef11,
        "amsgrad/decoupled-torch": 0x8d62d09615a46a31,
        "amsgrad/decoupled-paper": 0x360c09945dcd67c3,
        "amsgrad/norm-ball": 0x11cd267fad9892d2,
    ]

    /// Seeded parameters (some exactly zero, for L1's sign(0) = 0) and gradients (some zero,
    /// and growing then shrinking, so AMSGrad's maximum differs from Adam's v).
    static func run(_ optimizer: OptimizerSpec, _ regularization: RegularizationSpec, build: UpdateLoopsBuild) -> [Float] {
        var random = DeterministicRandom(seed: 11, stream: "chain-bits")
        var parameters = (0..<parameterCount).map { i in i % 17 == 0 ? 0 : Float(random.nextNormal()) }
        let chain = UpdateChain.make(optimizer: optimizer, regularization: regularization,
                                     learningRate: optimizer.learningRate, regularizedRanges: regularizedRanges)
        var state = chain.makeState(parameterCount: parameterCount)
        let scales: [Float] = [1, 3, 0.1, 0.5, 2]
        for step in multipliers.indices {
            var gradient = (0..<parameterCount).map { i in i % 13 == 5 ? 0 : scales[step] * Float(random.nextNormal()) }
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in
                    chain.apply(parameters: p, gradient: g, state: &state,
                                context: StepContext(multiplier: multipliers[step], lambda: lambdas[step]), build: build)
                }
            }
        }
        return parameters
    }

    static func bitHash(_ values: [Float]) -> UInt64 {
        StableHash.fnv1a64(bytes: values.flatMap { value -> [UInt8] in
            let bits = value.bitPattern
            return [UInt8(bits & 0xff), UInt8((bits >> 8) & 0xff), UInt8((bits >> 16) & 0xff), UInt8(bits >> 24)]
        })
    }

    func testEveryChainReproducesItsRecordedBits() {
        var actual: [String] = []
        for (optimizerName, optimizer) in Self.optimizers {
            for (regularizationName, regularization) in Self.regularizations {
                let name = "\(optimizerName)/\(regularizationName)"
                for build in UpdateLoopsBuild.available {
                    let parameters = Self.run(optimizer, regularization, build: build)
                    XCTAssertTrue(parameters.allSatisfy(\.isFinite), "\(name), \(build) loops")
                    let hash = Self.bitHash(parameters)
                    if build == .baseline { actual.append("        \"\(name)\": 0x\(String(hash, radix: 16)),") }
                    XCTAssertEqual(hash, Self.expected[name], "\(name), \(build) loops: the chain's numbers changed")
                }
            }
        }
        // Without momentum, L2 and PyTorch-convention decay are the same rule, element by
        // element (REFERENCE.md §3); every other pair of chains computes something different.
        XCTAssertEqual(Self.expected["sgd/l2"], Self.expected["sgd/decoupled-torch"])
        XCTAssertEqual(Set(Self.expected.values).count, Self.expected.count - 1)
        if Self.expected.count != actual.count {
            print("recorded values:\n" + actual.joined(separator: "\n"))
        }
    }
}
