import Datasets
import Foundation
import Models
import Optimization
import Training
import XCTest

/// Replays trajectories recorded from PyTorch 2.13 (Tests/Golden/make_golden.py): same data,
/// same initial weights, same batches; every step's learning rate, loss and parameters
/// must match.
final class GoldenTrajectoryTests: XCTestCase {
    /// |ours − torch| ≤ 1e-5·max(|torch|, 0.01): relative 1e-5, with a floor so that
    /// parameters passing near zero are not judged on digits Float32 does not have.
    static let relativeTolerance = 1e-5
    static let floor = 0.01

    struct Fixture {
        let name: String
        let json: [String: Any]

        subscript(_ key: String) -> Any? { json[key] }
        func object(_ key: String) -> [String: Any] { json[key] as! [String: Any] }
        func doubles(_ key: String) -> [Double] { (json[key] as! [NSNumber]).map(\.doubleValue) }
    }

    static func fixtures() throws -> [Fixture] {
        let directory = try XCTUnwrap(Bundle.module.url(forResource: "golden", withExtension: nil, subdirectory: "Fixtures"))
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { url in
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            return Fixture(name: url.deletingPathExtension().lastPathComponent, json: json)
        }
    }

    func testFixturesCoverEveryOptimizerPenaltyAndSchedule() throws {
        let fixtures = try Self.fixtures()
        let optimizers = Set(fixtures.map { $0.object("optimizer")["kind"] as! String })
        let penalties = Set(fixtures.map { $0.object("regularization")["penalty"] as! String })
        let schedules = Set(fixtures.map { $0.object("schedule")["kind"] as! String })
        XCTAssertEqual(optimizers, Set(OptimizerSpec.Kind.allCases.map(\.rawValue)))
        XCTAssertEqual(penalties, ["none", "l2", "l1", "decoupled"])
        XCTAssertEqual(schedules, Set(ScheduleSpec.Kind.allCases.map(\.rawValue)))

        // What used to be checked only by hand: the paper convention for AdamW and SGDW,
        // normalized λ in both conventions (with a restart that changes T), warm-up, and biases.
        func has(_ predicate: (Fixture) -> Bool) -> Bool { fixtures.contains(where: predicate) }
        func regularization(_ fixture: Fixture, _ key: String) -> Any? { fixture.object("regularization")[key] }
        func optimizerKind(_ fixture: Fixture) -> String { fixture.object("optimizer")["kind"] as! String }
        for convention in RegularizationSpec.DecayConvention.allCases.map(\.rawValue) {
            for family in ["adam", "sgd-momentum"] {
                XCTAssertTrue(has { regularization($0, "penalty") as? String == "decoupled" && regularization($0, "convention") as? String == convention
                    && optimizerKind($0) == family }, "decoupled \(family), \(convention) convention")
            }
            XCTAssertTrue(has { regularization($0, "normalized") as? Bool == true && regularization($0, "convention") as? String == convention },
                          "normalized, \(convention) convention")
        }
        XCTAssertTrue(has { regularization($0, "normalized") as? Bool == true && $0.object("schedule")["kind"] as? String == "warm-restarts" })
        XCTAssertTrue(has { ($0.object("schedule")["warmup_steps"] as? Int ?? 0) > 0 }, "warm-up")
        for penalty in ["decoupled", "l2"] {
            XCTAssertTrue(has { regularization($0, "include_biases") as? Bool == true && regularization($0, "penalty") as? String == penalty },
                          "\(penalty) with biases")
        }
    }

    func testEveryStepMatchesPyTorch() throws {
        let fixtures = try Self.fixtures()
        XCTAssertGreaterThanOrEqual(fixtures.count, 10)
        for fixture in fixtures {
            try replay(fixture)
        }
    }

    func replay(_ fixture: Fixture) throws {
        let (configuration, dataset) = Self.configuration(for: fixture)
        let order = fixture["parameter_order"] as! [String]
        let initial = fixture.object("initial")
        let initialParameters = order.flatMap { (initial[$0] as! [NSNumber]).map(\.floatValue) }
        var session = try TrainingSession(configuration: configuration, dataset: dataset, initialParameters: initialParameters)
        XCTAssertEqual(session.network.layout.entries.map(\.name), order, fixture.name)
        XCTAssertEqual(session.stepsPerEpoch, fixture["steps_per_epoch"] as? Int, fixture.name)

        var worst = 0.0
        for step in fixture["steps"] as! [[String: Any]] {
            let t = step["step"] as! Int
            let recordedRate = (step["lr"] as! NSNumber).doubleValue
            let rate = configuration.optimizer.learningRate * session.schedule.multiplier(atStep: t)
            XCTAssertEqual(rate, recordedRate, accuracy: 1e-12 * recordedRate, "\(fixture.name) step \(t): learning rate")

            let indices = (step["indices"] as! [NSNumber]).map(\.intValue)
            let loss = session.step(on: indices[...])
            let recordedLoss = (step["loss"] as! NSNumber).doubleValue
            XCTAssertEqual(loss, recordedLoss, accuracy: 1e-5 * abs(recordedLoss), "\(fixture.name) step \(t): loss")

            let params = step["params"] as! [String: Any]
            for entry in session.network.layout.entries {
                let expected = (params[entry.name] as! [NSNumber]).map(\.doubleValue)
                let actual = session.parameters[entry.range]
                for (a, e) in zip(actual, expected) {
                    let error = abs(Double(a) - e) / max(abs(e), Self.floor)
                    worst = max(worst, error)
                    if error > Self.relativeTolerance {
                        XCTFail("\(fixture.name) step \(t) \(entry.name): \(a) vs torch \(e) (relative \(error))")
                        return
                    }
                }
            }
        }
        print("golden \(fixture.name): worst relative difference \(worst)")
    }

    static func configuration(for fixture: Fixture) -> (RunConfiguration, Dataset) {
        let features = fixture["features"] as! Int
        let hidden = (fixture["hidden"] as! [NSNumber]).map(\.intValue)
        let x = (fixture["x"] as! [NSNumber]).map(\.floatValue)
        let isClassification = fixture["task"] as! String == "classification"
        let dataset: Dataset
        if isClassification {
            let labels = (fixture["y"] as! [NSNumber]).map { Int32($0.intValue) }
            dataset = Dataset(name: fixture.name, featureCount: features, task: .classification(classes: fixture["classes"] as! Int),
                              train: Split(features: x, labels: labels), test: Split(features: [], labels: []))
        } else {
            let values = (fixture["y"] as! [NSNumber]).map(\.floatValue)
            dataset = Dataset(name: fixture.name, featureCount: features, task: .regression,
                              train: Split(features: x, values: values), test: Split(features: [], values: []))
        }
        let kind: ModelSpec.Kind = !hidden.isEmpty ? .mlp : (isClassification ? .softmax : .linear)
        let activation = ModelSpec.Activation(rawValue: fixture["activation"] as! String)!

        let optimizer = fixture.object("optimizer")
        let regularization = fixture.object("regularization")
        let schedule = fixture.object("schedule")
        func number(_ object: [String: Any], _ key: String) -> Double { (object[key] as! NSNumber).doubleValue }
        let configuration = RunConfiguration(
            data: DataSpec(source: isClassification ? .syntheticClassification : .syntheticRegression),
            model: ModelSpec(kind: kind, hidden: hidden, activation: activation, initialization: .glorot),
            optimizer: OptimizerSpec(
                kind: OptimizerSpec.Kind(rawValue: optimizer["kind"] as! String)!, learningRate: number(optimizer, "lr"),
                momentum: number(optimizer, "momentum"), beta1: number(optimizer, "beta1"),
                beta2: number(optimizer, "beta2"), epsilon: number(optimizer, "epsilon")),
            regularization: RegularizationSpec(
                penalty: RegularizationSpec.Penalty(rawValue: regularization["penalty"] as! String)!,
                lambda: number(regularization, "lambda"),
                decayConvention: RegularizationSpec.DecayConvention(rawValue: regularization["convention"] as! String)!,
                normalized: regularization["normalized"] as? Bool ?? false,
                includeBiases: regularization["include_biases"] as! Bool),
            schedule: ScheduleSpec(
                kind: ScheduleSpec.Kind(rawValue: schedule["kind"] as! String)!, every: number(schedule, "every"),
                factor: number(schedule, "factor"), staircase: schedule["staircase"] as! Bool,
                minimum: number(schedule, "minimum"), t0: number(schedule, "t0"), tMult: number(schedule, "t_mult"),
                warmupSteps: schedule["warmup_steps"] as! Int),
            training: TrainingSpec(epochs: fixture["epochs"] as! Int, batchSize: fixture["batch_size"] as? Int, seed: 0))
        return (configuration, dataset)
    }
}
