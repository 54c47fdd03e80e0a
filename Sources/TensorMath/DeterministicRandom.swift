import Foundation

/// A seeded random number generator whose stream depends on nothing but its seed.
///
/// xoshiro256** seeded through SplitMix64 (Blackman & Vigna). Every random choice in a
/// run — initial weights, batch order, synthetic data — draws from a generator derived
/// from the run's seed and a stream name, so it is a pure function of the configuration.
public struct DeterministicRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// - Parameters:
    ///   - seed: any 64-bit value; 0 is a seed like any other.
    ///   - stream: separates independent uses of one seed (for example "init" and "shuffle").
    public init(seed: UInt64, stream: String = "") {
        var mix = SplitMix64(state: seed ^ StableHash.fnv1a64(stream))
        state = (mix.next(), mix.next(), mix.next(), mix.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal deviate (Box–Muller in Double, so the stream is platform independent).
    public mutating func nextNormal() -> Double {
        var u1 = nextUnitDouble()
        while u1 <= 0 { u1 = nextUnitDouble() }
        let u2 = nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniform integer in 0..<bound without modulo bias (Lemire's method).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0)
        let bound64 = UInt64(bound)
        var product = next().multipliedFullWidth(by: bound64)
        if product.low < bound64 {
            let threshold = (0 &- bound64) % bound64
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound64)
            }
        }
        return Int(product.high)
    }

    /// A Fisher–Yates permutation of 0..<count that depends only on this generator's state.
    public mutating func permutation(of count: Int) -> [Int] {
        var order = Array(0..<count)
        if count < 2 { return order }
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, nextIndex(below: i + 1))
        }
        return order
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
