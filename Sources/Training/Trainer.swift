import Datasets
import Foundation
import Models
import TensorMath

/// Trains one configuration from start to finish.
public enum Trainer {
    /// Runs every epoch of `configuration` on `dataset`.
    ///
    /// Never throws and never crashes on bad numbers: a configuration that cannot start
    /// gives a `failed` result, a non-finite loss or parameter a `diverged` one holding the
    /// epochs completed before it. A NaN anywhere in a step's forward pass reaches that
    /// step's loss, so the run is marked diverged at the step where it appears.
    /// After every epoch the training, validation (if any) and test splits are evaluated.
    ///
    /// - Parameters:
    ///   - onEpoch: called after each finished epoch, on the calling thread.
    ///   - shouldStop: polled between steps; returning true ends the run as `interrupted`.
    public static func run(
        _ configuration: RunConfiguration, on dataset: Dataset,
        onEpoch: (EpochRecord) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) -> RunResult {
        let started = ContinuousClock.now
        var session: TrainingSession
        do {
            session = try TrainingSession(configuration: configuration, dataset: dataset)
        } catch {
            return RunResult(configuration: configuration, key: configuration.key, status: .failed,
                             message: "\(error)", epochs: [], parameters: [], layout: ParameterLayout([]),
                             effectiveLambda: configuration.regularization.lambda, seconds: 0)
        }
        var records: [EpochRecord] = []
        var status = RunStatus.finished
        var message: String?

        training: for epoch in 0..<configuration.training.epochs {
            let epochStarted = ContinuousClock.now
            let batches = session.batchOrder.batches(epoch: epoch)
            for index in batches.indices {
                let batch = batches[index]
                if shouldStop() {
                    status = .interrupted
                    message = "interrupted at epoch \(epoch + 1), step \(session.step)"
                    break training
                }
                // The next batch's rows are asked into the caches during this step's update.
                let loss = session.step(on: batch, upcoming: index + 1 < batches.endIndex ? batches[index + 1] : nil)
                if !loss.isFinite {
                    status = .diverged
                    message = "non-finite training loss (\(describe(loss))) at epoch \(epoch + 1), step \(session.step)"
                    break training
                }
            }
            let trainSeconds = (ContinuousClock.now - epochStarted).seconds
            guard session.parametersAreFinite else {
                status = .diverged
                message = "non-finite parameters after epoch \(epoch + 1)"
                break
            }
            let train = session.evaluate(dataset.train)
            let validation = dataset.validation.map { session.evaluate($0) } ?? (loss: .nan, error: .nan)
            let test = session.evaluate(dataset.test)
            // A model whose test or validation numbers overflow (a regression's predictions
            // grown past Float's range while the training loss still fits) has diverged too:
            // recorded as finished, its infinite error would be averaged as a result.
            // A split with no rows (no validation split; a test split a data set left empty)
            // has NaN numbers that say nothing of the model.
            let evaluated = [("training", train, dataset.train.count), ("validation", validation, dataset.validation?.count ?? 0),
                             ("test", test, dataset.test.count)]
                .filter { $0.2 > 0 }
                .flatMap { split, numbers, _ in [("\(split) loss", numbers.loss), ("\(split) error", numbers.error)] }
            if let (name, value) = evaluated.first(where: { !$0.1.isFinite }) {
                status = .diverged
                message = "non-finite \(name) (\(describe(value))) after epoch \(epoch + 1)"
                break
            }
            let record = EpochRecord(
                epoch: epoch + 1, multiplier: session.schedule.multiplier(atStep: session.step - 1),
                trainLoss: train.loss, testLoss: test.loss, trainError: train.error, testError: test.error,
                weightNorm: session.weightNorm, seconds: trainSeconds,
                validationLoss: validation.loss, validationError: validation.error)
            records.append(record)
            onEpoch(record)
        }
        return RunResult(configuration: configuration, key: configuration.key, status: status, message: message,
                         epochs: records, parameters: session.parameters, layout: session.network.layout,
                         effectiveLambda: session.lambda(atStep: 0), appliedLambdas: session.appliedLambdas,
                         seconds: (ContinuousClock.now - started).seconds)
    }
}

/// A non-finite number as a person writes it ("NaN", "inf"), not as Swift prints NaN ("-nan").
private func describe(_ value: Double) -> String {
    value.isNaN ? "NaN" : "\(value)"
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
