import Datasets
import Models
import Optimization
import Planning
import Results
@testable import Runner
import TensorMath
import Training
import XCTest

final class TimeEstimateTests: XCTestCase {
    func configuration(optimizer: OptimizerSpec, model: ModelSpec, batchSize: Int?,
                       data: DataSpec = DataSpec(source: .syntheticClassification)) -> RunConfiguration {
        RunConfiguration(
            data: data, model: model, optimizer: optimizer,
            regularization: RegularizationSpec(), schedule: ScheduleSpec(),
            training: TrainingSpec(epochs: 2, batchSize: batchSize, seed: 4))
    }

    /// The shortest a calibration can take: the warm-up and every timed segment.
    var shortestCalibration: Double {
        (TimeEstimate.warmUpDuration + TimeEstimate.segmentDuration * TimeEstimate.segments) / .seconds(1)
    }

    func testCalibrationTimesStepsForItsWholeBudgetAndGivesAPositiveCost() throws {
        let minibatch = configuration(optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3),
                                      model: ModelSpec(kind: .mlp, hidden: [16]), batchSize: 32)
        for config in [minibatch, { var full = minibatch; full.training.batchSize = nil; return full }()] {
            let started = ContinuousClock.now
            let cost = try TimeEstimate.calibrate(config, features: 20, outputs: 3, trainingPoints: 200)
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            XCTAssertTrue(cost.training.isFinite && cost.training > 0, "seconds per training point \(cost)")
            XCTAssertTrue(cost.evaluation.isFinite && cost.evaluation > 0, "seconds per evaluated point \(cost)")
            // A few steps last microseconds here; neither timing may stop after them.
            XCTAssertGreaterThanOrEqual(elapsed, 2 * shortestCalibration, "batch size \(String(describing: config.training.batchSize))")
        }
    }

    func testADivergedCalibrationStepStartsTheSessionAgain() throws {
        // Gradient descent with a step far above 2/L: the loss overflows within a few steps.
        // Without a restart every later step would be a diverged one, which skips its update.
        let diverging = configuration(optimizer: OptimizerSpec(kind: .sgd, learningRate: 1e6),
                                      model: ModelSpec(kind: .linear, initialization: .glorot), batchSize: 16,
                                      data: DataSpec(source: .syntheticRegression))
        let fresh = try TrainingSession(configuration: diverging, dataset: TimeEstimateTests.regression)
        var session = fresh
        let indices = Array((0..<16).reversed())[...]
        let losses = (0..<100).map { _ in TimeEstimate.calibrationStep(&session, on: indices, restartingFrom: fresh) }
        guard let firstDiverged = losses.firstIndex(where: { !$0.isFinite }) else {
            return XCTFail("the configuration must really diverge for this test to mean anything: \(losses.suffix(3))")
        }
        XCTAssertEqual(losses[firstDiverged + 1], losses[0], "the step after a diverged one starts from the initial state")
        XCTAssertGreaterThan(losses.filter { !$0.isFinite }.count, 1, "it diverges again, and is started again")
        let cost = try TimeEstimate.calibrate(diverging, features: 4, outputs: 1, trainingPoints: 64)
        XCTAssertTrue(cost.training.isFinite && cost.training > 0, "seconds per training point \(cost)")
        XCTAssertTrue(cost.evaluation.isFinite && cost.evaluation > 0, "seconds per evaluated point \(cost)")
    }

    func testTheSavingSampleHasTheRunsEpochsAndParameterShapes() {
        var mlp = configuration(optimizer: OptimizerSpec(kind: .adam), model: ModelSpec(kind: .mlp, hidden: [5]), batchSize: 8)
        mlp.training.epochs = 4
        let run = PlannedRun(index: 0, block: 0, coordinates: [], configuration: mlp)
        let kept = SavingCost.sampleRecord(run, features: 7, outputs: 3, storesParameters: true)
        XCTAssertEqual(kept.epochs.map(\.epoch), [1, 2, 3, 4])
        XCTAssertEqual(kept.parameters.map(\.shape), [[5, 7], [5], [3, 5], [3]])
        XCTAssertEqual(kept.parameters.map(\.values.count), [35, 5, 15, 3])
        XCTAssertEqual(SavingCost.sampleRecord(run, features: 7, outputs: 3, storesParameters: false).parameters.count, 0)
        let linear = PlannedRun(index: 0, block: 0, coordinates: [],
                                configuration: configuration(optimizer: OptimizerSpec(kind: .sgd), model: ModelSpec(kind: .linear),
                                                             batchSize: nil, data: DataSpec(source: .syntheticRegression)))
        XCTAssertEqual(SavingCost.sampleRecord(linear, features: 6, outputs: 1, storesParameters: true).parameters.map(\.shape),
                       [[1, 6], [1]])
    }

    func testSavingIsTimedAndTheWriterBoundsTheWallTime() throws {
        let run = PlannedRun(index: 0, block: 0, coordinates: [],
                             configuration: configuration(optimizer: OptimizerSpec(kind: .sgd), model: ModelSpec(kind: .softmax), batchSize: 16))
        let saving = try SavingCost.calibrate(for: run, features: 20, outputs: 3, storesParameters: true)
        XCTAssertTrue(saving.perRunFile.isFinite && saving.perRunFile > 0, "\(saving)")
        XCTAssertTrue(saving.perRunAssembly.isFinite && saving.perRunAssembly > 0, "\(saving)")
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
            .allSatisfy { !$0.hasPrefix("decaybench-saving-\(ProcessInfo.processInfo.processIdentifier)-") },
                      "the calibration's run file is left behind")

        func wall(computing: Double, runFiles: Double, assembly: Double, jobs: Int) -> Double {
            TimeEstimate(totalSeconds: computing, runFileSeconds: runFiles, assemblySeconds: assembly, jobs: jobs,
                         calibrationSeconds: 0).wallSeconds
        }
        // Workers share the training and the waits for their files …
        XCTAssertEqual(wall(computing: 10, runFiles: 1, assembly: 0.5, jobs: 2), 6.0, accuracy: 1e-12)
        // … but one writer takes the files one at a time: tiny runs wait for it, not for the cores.
        XCTAssertEqual(wall(computing: 1, runFiles: 30, assembly: 0.5, jobs: 2), 30.5, accuracy: 1e-12)
        XCTAssertEqual(wall(computing: 10, runFiles: 1, assembly: 0.5, jobs: 1), 11.5, accuracy: 1e-12)
        var estimate = TimeEstimate(totalSeconds: 1, runFileSeconds: 30, assemblySeconds: 0.5, jobs: 2, calibrationSeconds: 0.2)
        XCTAssertTrue(estimate.text.hasPrefix("estimated time: 30 s with 2 workers (1.0 s of computing, 30 s of saving;"), estimate.text)
        XCTAssertFalse(estimate.text.contains("note:"), estimate.text)
        estimate.savingProblem = "no room"
        XCTAssertTrue(estimate.text.hasSuffix("\nnote: saving was not timed and is not counted: no room"), estimate.text)
    }

    func testSavingThatCannotBeTimedIsAnErrorNotACrash() throws {
        // A regular file where the temporary folder should be: nothing can be created inside it.
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-not-a-folder-\(UUID().uuidString)")
        try Data("x".utf8).write(to: blocker)
        defer { try? FileManager.default.removeItem(at: blocker) }
        let run = PlannedRun(index: 0, block: 0, coordinates: [],
                             configuration: configuration(optimizer: OptimizerSpec(kind: .sgd), model: ModelSpec(kind: .softmax), batchSize: 16))
        XCTAssertThrowsError(try SavingCost.calibrate(for: run, features: 4, outputs: 2, storesParameters: false, temporary: blocker))
    }

    func testFoldersThatKilledCalibrationsLeftAreRemovedAndNoOtherFolder() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("saving-stale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        // The id of a process that has ended.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let dead = ended.processIdentifier, alive = ProcessInfo.processInfo.processIdentifier
        let hdf5Start = Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0])
        func folder(_ name: String, _ files: [String: Data]) throws -> String {
            let path = temporary.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
            for (file, data) in files { try data.write(to: path.appendingPathComponent(file)) }
            return name
        }
        let stale = try folder("decaybench-saving-\(dead)-A", ["run.h5": hdf5Start])
        let staleCutShort = try folder("decaybench-saving-\(dead)-B", ["run.h5.tmp-\(dead)": Data()])
        let running = try folder("decaybench-saving-\(alive)-C", ["run.h5": hdf5Start])
        let usersFile = try folder("decaybench-saving-\(dead)-D", ["run.h5": Data("my notes".utf8)])
        let usersFolder = try folder("decaybench-saving-\(dead)-E", ["run.h5": hdf5Start, "thesis.tex": Data("x".utf8)])
        try FileManager.default.createSymbolicLink(atPath: temporary.appendingPathComponent("decaybench-saving-\(dead)-F").path,
                                                   withDestinationPath: temporary.appendingPathComponent(stale).path)

        SavingCost.removeStaleFolders(in: temporary)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: temporary.path))
        XCTAssertFalse(left.contains(stale) || left.contains(staleCutShort), "\(left)")
        XCTAssertTrue(left.isSuperset(of: [running, usersFile, usersFolder, "decaybench-saving-\(dead)-F"]), "\(left)")
    }

    static let regression: Dataset = {
        var random = DeterministicRandom(seed: 3, stream: "time-estimate-test")
        let features = (0..<(64 * 4)).map { _ in Float(random.nextNormal()) }
        let values = (0..<64).map { _ in Float(random.nextNormal()) }
        return Dataset(name: "regression", featureCount: 4, task: .regression,
                       train: Split(features: features, values: values), test: Split(features: [], values: []))
    }()
}
