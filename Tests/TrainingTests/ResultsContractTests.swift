import Datasets
import Models
import Optimization
import Training
import XCTest

/// What a run promises its results file: validation metrics every epoch, divergence at the
/// step a NaN appears, λ in the paper's units, and unchanged keys and numbers for
/// configurations that use none of these.
final class ResultsContractTests: XCTestCase {
    func configuration(data: DataSpec = DataSpec(source: .syntheticClassification),
                       activation: ModelSpec.Activation = .tanh,
                       optimizer: OptimizerSpec = OptimizerSpec(kind: .sgd, learningRate: 0.05),
                       regularization: RegularizationSpec = RegularizationSpec(),
                       schedule: ScheduleSpec = ScheduleSpec(), epochs: Int = 3) -> RunConfiguration {
        RunConfiguration(
            data: data, model: ModelSpec(kind: .mlp, hidden: [6], activation: activation, initialization: .glorot),
            optimizer: optimizer, regularization: regularization, schedule: schedule,
            training: TrainingSpec(epochs: epochs, batchSize: 10, seed: 4))
    }

    // MARK: - Keys and numbers of existing configurations

    /// Written by `decaybench train` before validation splits, `init: torch` and λ_norm's
    /// conversion existed (synthetic-classification, 200 samples, 5 features, subset 100,
    /// MLP [8], Adam 1e-3, AdamW-torch λ 0.01, cosine, 2 epochs, batch 32, seed 3).
    static let recordedJSON = #"{"data":{"classes":3,"features":5,"featuresDataset":"X","header":true,"noise":0.1,"samples":200,"seed":0,"source":"synthetic-classification","standardize":false,"targetColumn":-1,"targetsDataset":"y","testFraction":0.2,"trainSubset":100},"model":{"activation":"relu","hidden":[8],"initialization":"he","kind":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"kind":"adam","learningRate":0.001,"momentum":0.9},"regularization":{"decayConvention":"torch","includeBiases":false,"lambda":0.01,"normalized":false,"penalty":"decoupled"},"schedule":{"every":30,"factor":0.1,"kind":"cosine","minimum":0,"staircase":false,"t0":10,"tMult":2,"warmupSteps":0},"training":{"batchSize":32,"blasThreads":2,"epochs":2,"seed":3}}"#

    func testAConfigurationWithoutTheNewSettingsKeepsItsKeyAndNumbers() throws {
        let decoded = try RunConfiguration.decode(canonicalJSON: Self.recordedJSON)
        XCTAssertEqual(decoded.canonicalJSON, Self.recordedJSON)
        XCTAssertEqual(decoded.key, "79ae63c261b7fdfe")
        XCTAssertNil(decoded.data.validationFraction)
        XCTAssertNil(decoded.data.validationSize)
        let built = RunConfiguration(
            data: DataSpec(source: .syntheticClassification, trainSubset: 100, samples: 200, features: 5),
            model: ModelSpec(kind: .mlp, hidden: [8]), optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3),
            regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.01), schedule: ScheduleSpec(kind: .cosine),
            training: TrainingSpec(epochs: 2, batchSize: 32, seed: 3, blasThreads: 2))
        XCTAssertEqual(built.canonicalJSON, Self.recordedJSON, "defaults, new fields included, encode as before")

        // The numbers the same command wrote to its results file then.
        let result = Trainer.run(decoded, on: try DatasetLoader.load(decoded.data))
        let final = try XCTUnwrap(result.outcome.final)
        XCTAssertEqual(final.trainLoss, 1.6250418186187745, accuracy: 1e-6)
        XCTAssertEqual(final.testLoss, 1.5726686611771583, accuracy: 1e-6)
        XCTAssertEqual(final.testError, 0.625)
        XCTAssertEqual(final.weightNorm, 4.493168667136457, accuracy: 1e-5)
        XCTAssertEqual(result.outcome.best?.epoch, 1)
        XCTAssertEqual(result.outcome.selectedOn, .test)
        XCTAssertTrue(final.validationError.isNaN)
    }

    func testTheNewSettingsEnterTheKeyOnlyWhenSet() {
        let plain = configuration()
        var validated = plain
        validated.data.validationSize = 10
        XCTAssertTrue(validated.canonicalJSON.contains(#""validationSize":10"#))
        XCTAssertNotEqual(validated.key, plain.key)
        XCTAssertFalse(plain.canonicalJSON.contains("validation"))
        var torchInit = plain
        torchInit.model.initialization = .torch
        XCTAssertNotEqual(torchInit.key, plain.key)
        XCTAssertNotEqual(torchInit.streamSeed, plain.streamSeed, "the model's settings seed its stream")
    }

    // MARK: - Validation

    func testTheTrainerEvaluatesValidationAfterEveryEpoch() throws {
        let config = configuration(data: DataSpec(source: .syntheticClassification, seed: 2, samples: 200, features: 4,
                                                  noise: 1, validationFraction: 0.25))
        XCTAssertTrue(config.problems().isEmpty, "\(config.problems())")
        let dataset = try DatasetLoader.load(config.data)
        let validation = try XCTUnwrap(dataset.validation)
        XCTAssertEqual([dataset.train.count, validation.count, dataset.test.count], [120, 40, 40])

        let result = Trainer.run(config, on: dataset)
        XCTAssertEqual(result.status, .finished)
        XCTAssertEqual(result.epochs.count, 3)
        for epoch in result.epochs {
            XCTAssertTrue(epoch.validationLoss.isFinite && epoch.validationLoss > 0, "epoch \(epoch.epoch)")
            XCTAssertTrue((0...1).contains(epoch.validationError), "epoch \(epoch.epoch)")
        }
        // The last epoch's numbers are the final parameters' loss and error on the validation split.
        var session = try TrainingSession(configuration: config, dataset: dataset, initialParameters: result.parameters)
        let expected = session.evaluate(validation)
        XCTAssertEqual(result.epochs.last?.validationLoss, expected.loss)
        XCTAssertEqual(result.epochs.last?.validationError, expected.error)
        XCTAssertNotEqual(expected.loss, session.evaluate(dataset.test).loss, "validation is not the test split")
        XCTAssertEqual(result.outcome.selectedOn, .validation)
    }

    func testBadValidationSettingsAreConfigurationProblems() {
        var both = configuration()
        both.data.validationFraction = 0.1
        both.data.validationSize = 3
        XCTAssertEqual(both.problems().map(\.field), ["data.validation_size"])
        var outside = configuration()
        outside.data.validationFraction = 1
        XCTAssertEqual(outside.problems().map(\.field), ["data.validation_fraction"])
        var none = configuration()
        none.data.validationSize = 0
        XCTAssertEqual(none.problems().map(\.field), ["data.validation_size"])
    }

    // MARK: - Divergence

    /// `dataset` with one feature of training row `row` replaced by NaN.
    func poisoned(_ dataset: Dataset, row: Int) -> Dataset {
        var features = dataset.train.features
        features[row * dataset.featureCount + 1] = .nan
        return Dataset(name: "poisoned", featureCount: dataset.featureCount, task: dataset.task,
                       train: Split(features: features, labels: dataset.train.labels), test: dataset.test)
    }

    func testANaNInTheForwardPassIsADivergenceAtItsStep() throws {
        let dataset = poisoned(TestData.classification(count: 45, features: 3, seed: 9), row: 17)
        for activation in ModelSpec.Activation.allCases {
            let config = configuration(activation: activation)
            let order = BatchOrder(count: 45, batchSize: 10, seed: config.streamSeed)
            let step = try XCTUnwrap(order.batches(epoch: 0).firstIndex { $0.contains(17) }) + 1
            let result = Trainer.run(config, on: dataset)
            XCTAssertEqual(result.status, .diverged, "\(activation)")
            XCTAssertEqual(result.message, "non-finite training loss (NaN) at epoch 1, step \(step)", "\(activation)")
            XCTAssertTrue(result.epochs.isEmpty, "\(activation)")
            XCTAssertNil(result.outcome.final)
        }
    }

    func testADivergedRunHasNoFinalMetricsButKeepsItsLastFiniteEpoch() {
        // Gradient descent on least squares with a step far above 2/L grows until Float32 overflows.
        let regression = TestData.regression(count: 40, features: 3, noise: 0.1, seed: 1)
        var config = configuration(optimizer: OptimizerSpec(kind: .sgd, learningRate: 5), epochs: 500)
        config.model = ModelSpec(kind: .linear, initialization: .zeros)
        config.training.batchSize = nil
        let result = Trainer.run(config, on: regression)
        XCTAssertEqual(result.status, .diverged)
        XCTAssertNil(result.outcome.final)
        XCTAssertNil(result.outcome.best)
        XCTAssertGreaterThan(result.epochs.count, 0)
        XCTAssertEqual(result.outcome.lastFinite?.epoch, result.epochs.count)
        XCTAssertTrue(result.outcome.lastFinite?.trainLoss.isFinite ?? false)
    }

    // MARK: - Normalized decay in the paper's units

    let dataset = TestData.classification(count: 45, features: 3, seed: 9)

    func testLambdaNormIsThePapersUnderBothConventions() throws {
        // λ_paper = λ_norm·√(b/(B·T)) with b = 10, B = 45, T = 3; torch's per-step decay is α·η_t·λ, so λ_torch = λ_paper/α.
        let paper = 0.05 * (10.0 / (45.0 * 3)).squareRoot()
        for (convention, expected) in [(RegularizationSpec.DecayConvention.paper, paper), (.torch, paper / 0.05)] {
            let config = configuration(regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.05,
                                                                          decayConvention: convention, normalized: true))
            let session = try TrainingSession(configuration: config, dataset: dataset)
            XCTAssertEqual(session.lambda(atStep: 0), expected, accuracy: 1e-15, "\(convention)")
            XCTAssertEqual(session.appliedLambdas, [session.lambda(atStep: 0)])
            let result = Trainer.run(config, on: dataset)
            XCTAssertEqual(result.effectiveLambda, expected, accuracy: 1e-15)
            XCTAssertEqual(result.appliedLambdas, [result.effectiveLambda])
        }
        // Unnormalized λ is taken as written in either convention.
        let raw = try TrainingSession(configuration: configuration(regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.05)),
                                      dataset: dataset)
        XCTAssertEqual(raw.lambda(atStep: 0), 0.05)
    }

    func testTheSameLambdaNormDecaysAlikeUnderBothConventions() throws {
        // Both conventions then decay by η_t·λ_paper per step; only the order of Float32 operations differs.
        for optimizer in [OptimizerSpec(kind: .sgdMomentum, learningRate: 0.05), OptimizerSpec(kind: .adam, learningRate: 0.01)] {
            let runs = RegularizationSpec.DecayConvention.allCases.map { convention in
                Trainer.run(configuration(optimizer: optimizer,
                                          regularization: RegularizationSpec(penalty: .decoupled, lambda: 2,
                                                                             decayConvention: convention, normalized: true),
                                          schedule: ScheduleSpec(kind: .cosine)),
                            on: dataset)
            }
            let free = Trainer.run(configuration(optimizer: optimizer, schedule: ScheduleSpec(kind: .cosine)), on: dataset)
            let decayEffect = zip(runs[0].parameters, free.parameters).map { abs($0 - $1) }.max()!
            XCTAssertGreaterThan(decayEffect, 1e-2, "decay must matter for the comparison to mean anything")
            for (a, b) in zip(runs[0].parameters, runs[1].parameters) {
                XCTAssertEqual(a, b, accuracy: 1e-5 * max(abs(b), 0.01), "\(optimizer.kind)")
            }
        }
    }

    func testRunsStoredBeforeTheNewMeaningOfLambdaNormAreNotRerunAsIfUnchanged() throws {
        let normalizedTorch = configuration(regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.05,
                                                                               decayConvention: .torch, normalized: true))
        XCTAssertEqual(ConfigurationFormat.current, 2)
        XCTAssertNotNil(ConfigurationFormat.meaningChange(from: 1, of: normalizedTorch))
        XCTAssertNil(ConfigurationFormat.meaningChange(from: 2, of: normalizedTorch))
        XCTAssertThrowsError(try ConfigurationFormat.check(1, configuration: normalizedTorch)) { error in
            XCTAssertEqual((error as? ConfigurationError)?.field, "configuration_format")
        }
        // Everything else of format 1 computes what it did.
        var paper = normalizedTorch
        paper.regularization.decayConvention = .paper
        var raw = normalizedTorch
        raw.regularization.normalized = false
        for unchanged in [paper, raw, configuration()] {
            XCTAssertNil(ConfigurationFormat.meaningChange(from: 1, of: unchanged))
            XCTAssertNoThrow(try ConfigurationFormat.check(1, configuration: unchanged))
        }
    }

    func testAppliedLambdasListOneValuePerWarmRestartPeriodLength() throws {
        // Periods of 1 and 2 epochs in a 3-epoch run: T = 1, then T = 2.
        let config = configuration(regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.05,
                                                                      decayConvention: .paper, normalized: true),
                                   schedule: ScheduleSpec(kind: .warmRestarts, t0: 1, tMult: 2))
        let session = try TrainingSession(configuration: config, dataset: dataset)
        XCTAssertEqual(session.appliedLambdas.count, 2)
        XCTAssertEqual(session.appliedLambdas[0], 0.05 * (10.0 / 45.0).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(session.appliedLambdas[1], 0.05 * (10.0 / (45.0 * 2)).squareRoot(), accuracy: 1e-15)
    }
}
