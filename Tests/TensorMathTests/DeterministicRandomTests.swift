import TensorMath
import XCTest

final class DeterministicRandomTests: XCTestCase {
    func testSameSeedAndStreamGiveSameSequence() {
        var a = DeterministicRandom(seed: 0, stream: "init")
        var b = DeterministicRandom(seed: 0, stream: "init")
        XCTAssertEqual((0..<100).map { _ in a.next() }, (0..<100).map { _ in b.next() })
    }

    func testStreamsAndSeedsAreIndependent() {
        var a = DeterministicRandom(seed: 0, stream: "init")
        var b = DeterministicRandom(seed: 0, stream: "shuffle")
        var c = DeterministicRandom(seed: 1, stream: "init")
        let first = a.next()
        XCTAssertNotEqual(first, b.next())
        XCTAssertNotEqual(first, c.next())
    }

    func testPermutationIsAPermutation() {
        var random = DeterministicRandom(seed: 42)
        let order = random.permutation(of: 1000)
        XCTAssertEqual(order.sorted(), Array(0..<1000))
        XCTAssertNotEqual(order, Array(0..<1000))
    }

    func testNormalMomentsAreClose() {
        var random = DeterministicRandom(seed: 3)
        let n = 200_000
        let samples = (0..<n).map { _ in random.nextNormal() }
        let mean = samples.reduce(0, +) / Double(n)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        // Standard errors: 1/√n ≈ 0.0022 for the mean, √(2/n) ≈ 0.0032 for the variance.
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.015)
    }

    func testIndexIsUniform() {
        var random = DeterministicRandom(seed: 5)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[random.nextIndex(below: 7)] += 1 }
        for count in counts { XCTAssertEqual(Double(count), 10_000, accuracy: 400) }
    }

    func testStableHashKnownValue() {
        // FNV-1a 64 of "a" is a published test vector.
        XCTAssertEqual(StableHash.fnv1a64("a"), 0xaf63dc4c8601ec8c)
        XCTAssertEqual(StableHash.fnv1a64(""), 0xcbf29ce484222325)
    }
}

/// Known answers: the generator's first outputs, pinned. Every initialisation, batch order
/// and synthetic data set is drawn from this generator, so a change to the seeding, the
/// stream hash or xoshiro256** itself silently changes every run's numbers; these tests
/// make it fail loudly instead. The expected values were taken from this code when these
/// tests were written, and agree with an independent Python transcription of the published
/// SplitMix64 and xoshiro256** (Blackman & Vigna) seeded as `init` describes.
final class DeterministicRandomKnownAnswerTests: XCTestCase {
    func testFirstRawOutputs() {
        var plain = DeterministicRandom(seed: 0)
        XCTAssertEqual((0..<4).map { _ in plain.next() },
                       [2393714812739481704, 6581096415885975394, 11983149312406802546, 15230072046951085487])
        var initStream = DeterministicRandom(seed: 42, stream: "init")
        XCTAssertEqual((0..<4).map { _ in initStream.next() },
                       [3119888025082367609, 15701146790222189748, 10409750383466758954, 291072585164807730])
    }

    func testFirstDerivedOutputs() {
        var random = DeterministicRandom(seed: 7, stream: "shuffle")
        XCTAssertEqual(random.nextUnitDouble(), 0.08248856685045436)
        // log and cos come from the C library, which may differ in the last bit elsewhere.
        XCTAssertEqual(random.nextNormal(), -1.4608012524313856, accuracy: 1e-14)
        XCTAssertEqual((0..<6).map { _ in random.nextIndex(below: 10) }, [0, 7, 1, 1, 0, 8])
        XCTAssertEqual(random.permutation(of: 10), [4, 7, 0, 8, 2, 6, 9, 1, 5, 3])
    }
}
