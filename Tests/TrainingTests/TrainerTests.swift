import Datasets
import Models
import Optimization
import Training
import XCTest

final class TrainerTests: XCTestCase {
    func configuration(optimizer: OptimizerSpec = OptimizerSpec(kind: .sgd, learningRate: 0.05),
                       regularization: RegularizationSpec = RegularizationSpec(),
                       schedule: ScheduleSpec = ScheduleSpec(), epochs: Int = 3, batchSize: Int? = 10) -> RunConfiguration {
        RunConfiguration(
            data: DataSpec(source: .syntheticClassification),
            model: ModelSpec(kind: .mlp, hidden: [6], activation: .tanh, initialization: .glorot),
            optimizer: optimizer, regularization: regularization, schedule: schedule,
            training: TrainingSpec(epochs: epochs, batchSize: batchSize, seed: 4))
    }

    let dataset = TestData.classification(count: 45, features: 3, seed: 9)

    func testDivergenceStopsTheRunAndKeepsTheEpochsBefore() {
        // Gradient descent on least squares with a step far above 2/L grows geometrically
        // until Float32 overflows.
        let regression = TestData.regression(count: 40, features: 3, noise: 0.1, seed: 1)
        var config = configuration(optimizer: OptimizerSpec(kind: .sgd, learningRate: 5), epochs: 500, batchSize: nil)
        config.model = ModelSpec(kind: .linear, initialization: .zeros)
        let result = Trainer.run(config, on: regression)
        XCTAssertEqual(result.status, .diverged)
        XCTAssertGreaterThan(result.epochs.count, 0)
        XCTAssertLessThan(result.epochs.count, 500)
        XCTAssertTrue(result.epochs.allSatisfy { $0.trainLoss.isFinite }, "recorded epochs are the finite ones")
        XCTAssertTrue(result.message?.contains("non-finite") ?? false, result.message ?? "no message")
    }

    func testSameConfigurationGivesBitIdenticalResults() {
        let a = Trainer.run(configuration(), on: dataset)
        let b = Trainer.run(configuration(), on: dataset)
        XCTAssertEqual(a.parameters, b.parameters)
        XCTAssertEqual(a.epochs.map(\.trainLoss), b.epochs.map(\.trainLoss))
    }

    func testRunsThatDifferOnlyInOptimizerStartFromTheSameWeights() {
        let sgd = configuration()
        let adam = configuration(optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01))
        XCTAssertNotEqual(sgd.key, adam.key)
        XCTAssertEqual(sgd.streamSeed, adam.streamSeed)
        var seeded = configuration()
        seeded.training.seed = 5
        XCTAssertNotEqual(seeded.streamSeed, sgd.streamSeed)
    }

    func testBiasesAreLeftAloneUnlessIncluded() throws {
        // Decay with and without biases, two full-batch SGD steps (biases start at zero, so
        // the first step cannot decay them): only the biases differ.
        func oneStep(includeBiases: Bool) throws -> ([Float], ParameterLayout) {
            var session = try TrainingSession(
                configuration: configuration(regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.5, includeBiases: includeBiases),
                                             epochs: 1, batchSize: nil),
                dataset: dataset)
            session.step(on: Array(0..<dataset.train.count)[...])
            session.step(on: Array(0..<dataset.train.count)[...])
            return (session.parameters, session.network.layout)
        }
        let (weightsOnly, layout) = try oneStep(includeBiases: false)
        let (everything, _) = try oneStep(includeBiases: true)
        for entry in layout.entries {
            let same = Array(weightsOnly[entry.range]) == Array(everything[entry.range])
            XCTAssertEqual(same, entry.role == .weight, entry.name)
        }
    }

    func testNormalizedDecayScalesLambdaByBatchPointsAndPeriod() throws {
        // λ = λ_norm·√(b/(B·T)): b = 10, B = 45, T = 3 epochs (paper convention: λ as is).
        let normalized = RegularizationSpec(penalty: .decoupled, lambda: 0.05, decayConvention: .paper, normalized: true)
        let session = try TrainingSession(configuration: configuration(regularization: normalized), dataset: dataset)
        XCTAssertEqual(session.lambda(atStep: 0), 0.05 * (10.0 / (45.0 * 3)).squareRoot(), accuracy: 1e-15)
        // With warm restarts T is the current period: 1 epoch, then 2.
        let restarts = try TrainingSession(
            configuration: configuration(regularization: normalized, schedule: ScheduleSpec(kind: .warmRestarts, t0: 1, tMult: 2)),
            dataset: dataset)
        XCTAssertEqual(restarts.lambda(atStep: 0), 0.05 * (10.0 / 45.0).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(restarts.lambda(atStep: restarts.stepsPerEpoch), 0.05 * (10.0 / (45.0 * 2)).squareRoot(), accuracy: 1e-15)
    }

    func testStrongerDecayGivesSmallerWeights() {
        // Seed 000's claim: the weight norm falls as λ grows.
        let norms = [0.0, 0.01, 0.1, 1.0].map { lambda in
            Trainer.run(configuration(optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01),
                                      regularization: RegularizationSpec(penalty: .decoupled, lambda: lambda), epochs: 20),
                        on: dataset).epochs.last!.weightNorm
        }
        XCTAssertEqual(norms, norms.sorted(by: >), "\(norms)")
    }

    func testConfigurationProblemsNameTheirFields() {
        var bad = configuration(optimizer: OptimizerSpec(kind: .adam, learningRate: -1, beta2: 1))
        bad.training.epochs = 0
        bad.regularization = RegularizationSpec(penalty: .l2, lambda: 0.1, normalized: true)
        let fields = Set(bad.problems().map(\.field))
        XCTAssertEqual(fields, ["optimizer.lr", "optimizer.beta2", "training.epochs", "regularization.normalized"])
        XCTAssertTrue(configuration().problems().isEmpty)
    }

    /// Positive values that Float32 rounds to 0 or to infinity are refused: a learning rate of
    /// 1e-320 trained for as long as asked without moving a weight.
    func testValuesOutsideFloat32AreRefusedWithTheirRange() {
        for (value, holds) in [(1e-300, false), (1e-46, false), (1e39, false), (1e-45, true), (3e38, true)] {
            var config = configuration(optimizer: OptimizerSpec(kind: .adam, learningRate: value, epsilon: value))
            config.regularization = RegularizationSpec(penalty: .l2, lambda: value)
            let problems = config.problems()
            XCTAssertEqual(Set(problems.map(\.field)), holds ? [] : ["optimizer.lr", "optimizer.epsilon", "regularization.lambda"], "\(value)")
            for problem in problems {
                XCTAssertTrue("\(problem)".contains("\(value) is outside what Float32 holds (1e-45 to 3.4028235e+38)"), "\(problem)")
            }
        }
        var config = configuration()
        config.regularization = RegularizationSpec(penalty: .l2, lambda: 0)
        XCTAssertTrue(config.problems().isEmpty, "λ = 0 is no penalty, not a value out of range")
    }

    func testAModelThatDoesNotFitTheDataFailsCleanly() {
        var linear = configuration()
        linear.model = ModelSpec(kind: .linear)
        let result = Trainer.run(linear, on: dataset)
        XCTAssertEqual(result.status, .failed)
        XCTAssertTrue(result.message?.contains("model.kind") ?? false)
    }

    func testANaNFeatureDivergesASoftmaxRunAtTheStepThatReadsIt() throws {
        // Softmax regression reads its batches' rows where they lie (no copy): a NaN in one
        // training row must still reach that step's loss, as it does through the general path.
        let clean = TestData.classification(count: 45, features: 3, seed: 9)
        let poisoned = 17
        var features = clean.train.features
        features[poisoned * 3 + 1] = .nan
        let dataset = Dataset(name: clean.name, featureCount: 3, task: clean.task,
                              train: Split(features: features, labels: clean.train.labels), test: clean.test)
        var config = configuration(epochs: 2, batchSize: 10)
        config.model = ModelSpec(kind: .softmax, initialization: .glorot)
        let order = BatchOrder(count: 45, batchSize: 10, seed: config.streamSeed)
        let step = try XCTUnwrap(order.batches(epoch: 0).firstIndex { $0.contains(poisoned) }) + 1
        let result = Trainer.run(config, on: dataset)
        XCTAssertEqual(result.status, .diverged)
        XCTAssertEqual(result.epochs.count, 0)
        XCTAssertEqual(result.message, "non-finite training loss (NaN) at epoch 1, step \(step)")
    }

    /// SGD at lr 3.2 on a linear regression grows its weights until, at epoch 3, the
    /// validation loss overflows Float while the training loss (5e37) still fits: that run
    /// was recorded as finished, with an infinite validation error averaged as a result.
    func testAnInfiniteValidationOrTestLossDivergesTheRun() throws {
        let config = RunConfiguration(
            data: DataSpec(source: .syntheticRegression, samples: 200, features: 5, validationSize: 40),
            model: ModelSpec(kind: .linear), optimizer: OptimizerSpec(kind: .sgd, learningRate: 3.2),
            regularization: RegularizationSpec(), schedule: ScheduleSpec(kind: .constant),
            training: TrainingSpec(epochs: 3, batchSize: 16, seed: 0))
        let result = Trainer.run(config, on: try DatasetLoader.load(config.data))
        XCTAssertEqual(result.status, .diverged)
        XCTAssertEqual(result.message, "non-finite validation loss (inf) after epoch 3")
        XCTAssertEqual(result.epochs.count, 2)
        XCTAssertTrue(result.epochs.allSatisfy { $0.validationLoss.isFinite && $0.testLoss.isFinite })
    }

    /// A NUL in a data path made plan read the file named by the part before it, and run
    /// fail with Foundation's words; an empty path was looked up as the current directory.
    func testADataPathWithANulOrEmptyIsAProblemOfDataPath() {
        for (path, words) in [("d/good.csv\u{0}x", "contains a NUL character"), ("", "is empty")] {
            var config = configuration()
            config.data = DataSpec(source: .csv, path: path, task: .classification)
            let problems = config.problems()
            XCTAssertEqual(problems.map(\.field), ["data.path"], "\(problems)")
            XCTAssertTrue(problems.first?.message.contains(words) ?? false, "\(problems)")
        }
    }
}
