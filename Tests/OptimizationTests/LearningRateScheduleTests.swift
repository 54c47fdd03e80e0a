import Optimization
import XCTest

final class LearningRateScheduleTests: XCTestCase {
    func schedule(_ spec: ScheduleSpec, epochs: Int = 10, stepsPerEpoch: Int = 4) -> LearningRateSchedule {
        LearningRateSchedule(spec: spec, epochs: epochs, stepsPerEpoch: stepsPerEpoch)
    }

    func testConstantIsOne() {
        let s = schedule(ScheduleSpec(kind: .constant))
        XCTAssertEqual((0..<40).map { s.multiplier(atStep: $0) }, [Double](repeating: 1, count: 40))
    }

    func testStepDropsAtEpochBoundaries() {
        let s = schedule(ScheduleSpec(kind: .step, every: 3, factor: 0.5))
        XCTAssertEqual(s.multiplier(atStep: 0), 1)
        XCTAssertEqual(s.multiplier(atStep: 11), 1)       // epoch 2.75
        XCTAssertEqual(s.multiplier(atStep: 12), 0.5)     // epoch 3
        XCTAssertEqual(s.multiplier(atStep: 24), 0.25)    // epoch 6
    }

    func testExponentialContinuousAndStaircase() {
        let continuous = schedule(ScheduleSpec(kind: .exponential, factor: 0.5))
        XCTAssertEqual(continuous.multiplier(atStep: 2), pow(0.5, 0.5), accuracy: 1e-15)
        let staircase = schedule(ScheduleSpec(kind: .exponential, factor: 0.5, staircase: true))
        XCTAssertEqual(staircase.multiplier(atStep: 3), 1)
        XCTAssertEqual(staircase.multiplier(atStep: 4), 0.5)
    }

    func testCosineEndpointsAndMidpoint() {
        let s = schedule(ScheduleSpec(kind: .cosine, minimum: 0.1), epochs: 10, stepsPerEpoch: 4)
        XCTAssertEqual(s.multiplier(atStep: 0), 1, accuracy: 1e-15)
        XCTAssertEqual(s.multiplier(atStep: 20), 0.55, accuracy: 1e-12)  // half way: η_min + ½(1 − η_min)
        XCTAssertEqual(s.multiplier(atStep: 40), 0.1, accuracy: 1e-12)
    }

    /// The paper's example (App. B.2): T_0 = 100, T_mult = 2 restarts at epochs 100, 300, 700, 1500.
    func testWarmRestartsRestartWhereThePaperSays() {
        let s = schedule(ScheduleSpec(kind: .warmRestarts, t0: 100, tMult: 2), epochs: 2000, stepsPerEpoch: 3)
        for restart in [100, 300, 700, 1500] {
            XCTAssertEqual(s.multiplier(atStep: restart * 3), 1, accuracy: 1e-12, "restart at epoch \(restart)")
            XCTAssertLessThan(s.multiplier(atStep: restart * 3 - 1), 1e-3, "just before the restart at \(restart)")
        }
        XCTAssertEqual(s.periodLength(atStep: 0), 100)
        XCTAssertEqual(s.periodLength(atStep: 150 * 3), 200)
        XCTAssertEqual(s.periodLength(atStep: 700 * 3), 800)
        // Middle of the second period (100 + 100): cos(π/2) → ½.
        XCTAssertEqual(s.multiplier(atStep: 200 * 3), 0.5, accuracy: 1e-12)
    }

    func testWarmRestartsWithoutGrowth() {
        let s = schedule(ScheduleSpec(kind: .warmRestarts, t0: 2, tMult: 1), epochs: 10, stepsPerEpoch: 2)
        XCTAssertEqual(s.multiplier(atStep: 4), 1, accuracy: 1e-12)
        XCTAssertEqual(s.multiplier(atStep: 2), 0.5, accuracy: 1e-12)
    }

    func testWarmUpRampsLinearlyThenHandsOver() {
        let s = schedule(ScheduleSpec(kind: .cosine, warmupSteps: 4), epochs: 10, stepsPerEpoch: 4)
        XCTAssertEqual(s.multiplier(atStep: 0), 0.25 * 1, accuracy: 1e-12)
        let plain = schedule(ScheduleSpec(kind: .cosine), epochs: 10, stepsPerEpoch: 4)
        XCTAssertEqual(s.multiplier(atStep: 1), 0.5 * plain.multiplier(atStep: 1), accuracy: 1e-12)
        XCTAssertEqual(s.multiplier(atStep: 4), plain.multiplier(atStep: 4), accuracy: 1e-15)
    }
}
