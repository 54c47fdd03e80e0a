import Datasets
import Models
import Optimization

extension RunConfiguration {
    /// Every problem with the configuration's values, each naming its field.
    ///
    /// Checks ranges only; whether the model fits the data is checked when the data is
    /// known (`ModelFactory`).
    public func problems() -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        func require(_ condition: Bool, _ field: String, _ message: @autoclosure () -> String) {
            if !condition { problems.append(ConfigurationError(field: field, message())) }
        }
        func finite(_ value: Double) -> Bool { value.isFinite }

        require(optimizer.learningRate > 0 && finite(optimizer.learningRate), "optimizer.lr", "must be a positive number, got \(optimizer.learningRate)")
        require(optimizer.momentum >= 0 && optimizer.momentum < 1, "optimizer.momentum", "must be in [0, 1), got \(optimizer.momentum)")
        require(optimizer.beta1 >= 0 && optimizer.beta1 < 1, "optimizer.beta1", "must be in [0, 1), got \(optimizer.beta1)")
        require(optimizer.beta2 >= 0 && optimizer.beta2 < 1, "optimizer.beta2", "must be in [0, 1), got \(optimizer.beta2)")
        require(optimizer.epsilon > 0 && finite(optimizer.epsilon), "optimizer.epsilon", "must be a positive number, got \(optimizer.epsilon)")

        require(regularization.lambda >= 0 && finite(regularization.lambda), "regularization.lambda", "must be a number ≥ 0, got \(regularization.lambda)")
        if regularization.penalty == .normBall {
            require(regularization.lambda > 0, "regularization.lambda", "the norm-ball bound on ‖w‖² must be positive, got \(regularization.lambda)")
        }
        if regularization.normalized {
            require(regularization.penalty == .decoupled, "regularization.normalized",
                    "normalized λ applies to decoupled decay only (paper App. B.1), not to penalty \(regularization.penalty.rawValue)")
        }

        switch schedule.kind {
        case .step:
            require(schedule.every > 0, "schedule.every", "must be a positive number of epochs, got \(schedule.every)")
            require(schedule.factor > 0 && schedule.factor <= 1, "schedule.factor", "must be in (0, 1], got \(schedule.factor)")
        case .exponential:
            require(schedule.factor > 0 && schedule.factor <= 1, "schedule.factor", "must be in (0, 1], got \(schedule.factor)")
        case .cosine:
            require(schedule.minimum >= 0 && schedule.minimum < 1, "schedule.minimum", "must be in [0, 1), got \(schedule.minimum)")
        case .warmRestarts:
            require(schedule.minimum >= 0 && schedule.minimum < 1, "schedule.minimum", "must be in [0, 1), got \(schedule.minimum)")
            require(schedule.t0 > 0, "schedule.t0", "must be a positive number of epochs, got \(schedule.t0)")
            require(schedule.tMult >= 1, "schedule.t_mult", "must be at least 1, got \(schedule.tMult)")
        case .constant:
            break
        }
        require(schedule.warmupSteps >= 0, "schedule.warmup_steps", "must be ≥ 0, got \(schedule.warmupSteps)")

        require(training.epochs >= 1, "training.epochs", "must be at least 1, got \(training.epochs)")
        if let batch = training.batchSize { require(batch >= 1, "training.batch_size", "must be at least 1 or \"full\", got \(batch)") }
        require(training.blasThreads >= 1, "training.blas_threads", "must be at least 1, got \(training.blasThreads)")

        if model.kind != .mlp {
            require(model.hidden.isEmpty, "model.hidden", "\(model.kind.rawValue) models have no hidden layers; use kind mlp")
        }
        for width in model.hidden { require(width >= 1, "model.hidden", "widths must be at least 1, got \(width)") }
        switch (model.kind, data.source) {
        case (.linear, .fashionMNIST), (.linear, .mnist), (.linear, .syntheticClassification):
            problems.append(ConfigurationError(field: "model.kind", "linear regression needs regression data; \(data.source.rawValue) is classification (use softmax)"))
        case (.softmax, .syntheticRegression):
            problems.append(ConfigurationError(field: "model.kind", "softmax regression needs classification data; synthetic-regression is regression (use linear)"))
        default:
            break
        }

        require(data.testFraction >= 0 && data.testFraction < 1, "data.test_fraction", "must be in [0, 1), got \(data.testFraction)")
        if let subset = data.trainSubset { require(subset >= 1, "data.train_subset", "must be at least 1, got \(subset)") }
        if let subset = data.testSubset { require(subset >= 0, "data.test_subset", "must be ≥ 0, got \(subset)") }
        if let fraction = data.validationFraction {
            require(fraction > 0 && fraction < 1, "data.validation_fraction", "must be in (0, 1), got \(fraction)")
        }
        if let size = data.validationSize { require(size >= 1, "data.validation_size", "must be at least 1, got \(size)") }
        require(!(data.validationFraction != nil && data.validationSize != nil), "data.validation_size",
                "give a validation fraction or a validation size, not both")
        if data.source == .syntheticRegression || data.source == .syntheticClassification {
            require(data.samples >= 2, "data.samples", "must be at least 2, got \(data.samples)")
            require(data.features >= 1, "data.features", "must be at least 1, got \(data.features)")
            require(data.noise >= 0 && finite(data.noise), "data.noise", "must be a number ≥ 0, got \(data.noise)")
        }
        if data.source == .syntheticClassification {
            require(data.classes >= 2, "data.classes", "must be at least 2, got \(data.classes)")
        }
        if data.source == .csv || data.source == .hdf5 {
            require(data.path != nil, "data.path", "a \(data.source.rawValue) data set needs a file path")
        }
        problems += sizeProblems()
        return problems
    }

    /// Limits that keep every size computation far from overflow and every buffer within
    /// memory: the models and data sets DecayBench is for are small.
    static let limits = (width: 65_536, layers: 64, features: 1_000_000, classes: 65_536,
                         samples: 100_000_000, values: 4_000_000_000, batch: 10_000_000, epochs: 1_000_000)

    private func sizeProblems() -> [ConfigurationError] {
        let limits = Self.limits
        var problems: [ConfigurationError] = []
        if let width = model.hidden.first(where: { $0 > limits.width }) {
            problems.append(ConfigurationError(field: "model.hidden", "widths above \(limits.width) are not supported, got \(width)"))
        }
        if model.hidden.count > limits.layers {
            problems.append(ConfigurationError(field: "model.hidden", "at most \(limits.layers) hidden layers, got \(model.hidden.count)"))
        }
        if training.epochs > limits.epochs {
            problems.append(ConfigurationError(field: "training.epochs", "at most \(limits.epochs), got \(training.epochs)"))
        }
        if let batch = training.batchSize, batch > limits.batch {
            problems.append(ConfigurationError(field: "training.batch_size", "at most \(limits.batch), got \(batch)"))
        }
        if data.source == .syntheticRegression || data.source == .syntheticClassification {
            if data.features > limits.features {
                problems.append(ConfigurationError(field: "data.features", "at most \(limits.features), got \(data.features)"))
            }
            if data.samples > limits.samples {
                problems.append(ConfigurationError(field: "data.samples", "at most \(limits.samples), got \(data.samples)"))
            } else if data.features <= limits.features, data.samples * data.features > limits.values {
                problems.append(ConfigurationError(field: "data.samples", "samples × features = \(data.samples * data.features) values exceed \(limits.values)"))
            }
            if data.source == .syntheticClassification && data.classes > limits.classes {
                problems.append(ConfigurationError(field: "data.classes", "at most \(limits.classes), got \(data.classes)"))
            }
        }
        return problems
    }
}
