@testable import Analysis
import XCTest

/// The verdict rules decide on the whole interval: inside, outside, or straddling.
final class VerdictRuleTests: XCTestCase {
    func testAboveNeedsTheWholeIntervalAboveAndRefutesAtOrBelow() {
        XCTAssertEqual(VerdictRule.above(0).verdict(for: Interval(lower: 0.001, upper: 0.02)), .reproduced)
        XCTAssertEqual(VerdictRule.above(0).verdict(for: Interval(lower: -0.01, upper: 0.02)), .inconclusive)
        XCTAssertEqual(VerdictRule.above(0).verdict(for: Interval(lower: -0.01, upper: 0)), .notReproduced)
    }

    func testBelowNeedsTheWholeIntervalBelowAndRefutesAtOrAbove() {
        XCTAssertEqual(VerdictRule.below(1e-3).verdict(for: Interval(lower: 1e-7, upper: 2e-6)), .reproduced)
        XCTAssertEqual(VerdictRule.below(1e-3).verdict(for: Interval(lower: 1e-4, upper: 2e-3)), .inconclusive)
        XCTAssertEqual(VerdictRule.below(1e-3).verdict(for: Interval(lower: 1e-3, upper: 2e-3)), .notReproduced)
    }

    func testWithinNeedsTheIntervalInsideTheBandAndRefutesOnlyWhenItMissesIt() {
        let rule = VerdictRule.within(-0.5, 0.5)
        XCTAssertEqual(rule.verdict(for: Interval(lower: -0.2, upper: 0.3)), .reproduced)
        XCTAssertEqual(rule.verdict(for: Interval(lower: -0.9, upper: 0.1)), .inconclusive)
        XCTAssertEqual(rule.verdict(for: Interval(lower: -1.2, upper: -0.8)), .notReproduced)
    }

    func testNoIntervalIsInconclusiveNeverReproduced() {
        XCTAssertEqual(VerdictRule.above(0).verdict(for: nil), .inconclusive)
        XCTAssertEqual(VerdictRule.above(0).verdict(for: Interval(lower: .nan, upper: 1)), .inconclusive)
    }

    func testTheBootstrapIsRepeatableAndItsIntervalContainsAConstantStatistic() {
        let bootstrap = SeedBootstrap(seeds: [0, 1, 2, 3, 4])
        let mean: ([UInt64]) -> Double? = { sample in Double(sample.reduce(0, +)) / Double(sample.count) }
        let first = bootstrap.estimate(mean), second = bootstrap.estimate(mean)
        XCTAssertEqual(first.value, 2)
        XCTAssertEqual(first.interval, second.interval)
        XCTAssertLessThan(first.interval!.lower, 2)
        XCTAssertGreaterThan(first.interval!.upper, 2)
        XCTAssertEqual(bootstrap.estimate { _ in 0.25 }.interval, Interval(lower: 0.25, upper: 0.25))
    }

    func testWithThreeSeedsTheIntervalIsAtLeastTheStudentTInterval() {
        // The per-seed values of lr-decay-plateau: the percentile interval of their mean was
        // [0.1793, 0.8048], the range of the three (a resample repeats one seed with
        // probability 1/27 > 2.5%), and it made the claim "reproduced".
        let values: [UInt64: Double] = [0: 0.1793, 1: 0.6729, 2: 0.8048]
        let mean: ([UInt64]) -> Double? = { sample in sample.map { values[$0]! }.reduce(0, +) / Double(sample.count) }
        let (value, interval) = SeedBootstrap(seeds: [0, 1, 2]).estimate(mean)
        let t = Statistics.tInterval(Array(values.values))!
        XCTAssertEqual(value!, 0.5523, accuracy: 1e-4)
        XCTAssertEqual(interval!.lower, t.lower, accuracy: 1e-12)
        XCTAssertEqual(interval!.upper, t.upper, accuracy: 1e-12)
        XCTAssertLessThan(interval!.lower, 0)   // 4.303 × SD / √3 reaches below zero
        XCTAssertEqual(VerdictRule.above(0.1).verdict(for: interval), .inconclusive)
    }

    func testTheTQuantileBeyondTheTableIsNotTheNormalOne() {
        // True values: 2.0395 (31), 2.0211 (40), 2.0086 (50), 1.9840 (100).
        for (df, expected) in [(31, 2.0395), (40, 2.0211), (50, 2.0086), (100, 1.9840)] {
            XCTAssertEqual(Statistics.tQuantile975(degreesOfFreedom: df), expected, accuracy: 2e-4, "\(df)")
        }
    }

    func testAdditiveShareIsOneForASeparableTableAndLessForAnInteraction() {
        XCTAssertEqual(Statistics.additiveShare([[1, 2, 3], [2, 3, 4], [5, 6, 7]])!, 1, accuracy: 1e-12)
        XCTAssertLessThan(Statistics.additiveShare([[0, 1, 1], [1, 0, 1], [1, 1, 0]])!, 0.5)
    }

    func testSlopeAndSpearman() {
        XCTAssertEqual(Statistics.slope(x: [0, 1, 2], y: [1, 0, -1])!, -1, accuracy: 1e-12)
        XCTAssertEqual(Statistics.spearman([1, 2, 3, 4], [10, 5, 2, 1])!, -1, accuracy: 1e-12)
        XCTAssertNil(Statistics.spearman([1, 2, 3], [1, 1, 1]))
    }

    func testPeriodEndsOfWarmRestarts() {
        XCTAssertEqual(Claim.periodEnds(t0: 5, tMult: 2, epochs: 75), [5, 15, 35, 75])
        XCTAssertEqual(Claim.periodEnds(t0: 100, tMult: 2, epochs: 1500), [100, 300, 700, 1500])
    }
}
