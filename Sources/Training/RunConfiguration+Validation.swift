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
        // The engine computes in Float32: a value that rounds to 0 or to infinity there would
        // train silently without the step, the ε or the decay it was given, or diverge at once.
        let float32Range = "\(Float.leastNonzeroMagnitude) to \(Float.greatestFiniteMagnitude)"
        func holdsInFloat32(_ value: Double) -> Bool { Float(value) > 0 && Float(value).isFinite }
        func requirePositiveInFloat32(_ value: Double, _ field: String) {
            if value > 0 && finite(value) {
                require(holdsInFloat32(value), field, "\(value) is outside what Float32 holds (\(float32Range)): training computes in Float32")
            }
        }

        require(optimizer.learningRate > 0 && finite(optimizer.learningRate), "optimizer.lr", "must be a positive number, got \(optimizer.learningRate)")
        requirePositiveInFloat32(optimizer.learningRate, "optimizer.lr")
        require(optimizer.momentum >= 0 && optimizer.momentum < 1, "optimizer.momentum", "must be in [0, 1), got \(optimizer.momentum)")
        require(optimizer.beta1 >= 0 && optimizer.beta1 < 1, "optimizer.beta1", "must be in [0, 1), got \(optimizer.beta1)")
        require(optimizer.beta2 >= 0 && optimizer.beta2 < 1, "optimizer.beta2", "must be in [0, 1), got \(optimizer.beta2)")
        require(optimizer.epsilon > 0 && finite(optimizer.epsilon), "optimizer.epsilon", "must be a positive number, got \(optimizer.epsilon)")
        requirePositiveInFloat32(optimizer.epsilon, "optimizer.epsilon")

        require(regularization.lambda >= 0 && finite(regularization.lambda), "regularization.lambda", "must be a number ≥ 0, got \(regularization.lambda)")
        requirePositiveInFloat32(regularization.lambda, "regularization.lambda")
        if regularization.penalty == .normBall {
            require(regularization.lambda > 0, "regularization.lambda", "the norm-ball bound on ‖w‖² must be positive, got \(regularization.lambda)")
        }
        if regularization.normalized {
            require(regularization.penalty == .decoupled, "regularization.normalized",
                    "normalized λ applies to decoupled decay only (paper App. B.1), not to penalty \(regularization.penalty.rawValue)")
        }

        switch schedule.kind {
        case .step:
            require(schedule.every > 0 && finite(schedule.every), "schedule.every", "must be a positive number of epochs, got \(schedule.every)")
            require(schedule.factor > 0 && schedule.factor <= 1, "schedule.factor", "must be in (0, 1], got \(schedule.factor)")
        case .exponential:
            require(schedule.factor > 0 && schedule.factor <= 1, "schedule.factor", "must be in (0, 1], got \(schedule.factor)")
        case .cosine:
            require(schedule.minimum >= 0 && schedule.minimum < 1, "schedule.minimum", "must be in [0, 1), got \(schedule.minimum)")
        case .warmRestarts:
            require(schedule.minimum >= 0 && schedule.minimum < 1, "schedule.minimum", "must be in [0, 1), got \(schedule.minimum)")
            require(schedule.t0 > 0 && finite(schedule.t0), "schedule.t0", "must be a positive number of epochs, got \(schedule.t0)")
            require(schedule.tMult >= 1 && finite(schedule.tMult), "schedule.t_mult", "must be a number ≥ 1, got \(schedule.tMult)")
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
        // Refused here, not only when the model is built, so that `plan` refuses it and `run`
        // never starts a grid whose every run would fail.
        require(!(model.initialization == .zeros && !model.hidden.isEmpty), "model.init",
                "zero initialisation leaves hidden units identical forever; use he or glorot")
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
        if let subset = data.testSubset { require(subset >= 1, "data.test_subset", "must be at least 1, got \(subset)") }
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
            // As DatasetLoader.validate requires: checked here too, so that it is refused under the
            // user's own name for the field (a flag, a grid key), not the loader's.
            if (2...DataLimits.classes).contains(data.classes) && data.samples >= 2 {
                require(data.samples >= data.classes, "data.samples",
                        "must be at least one point per class (≥ \(data.classes)), got \(data.samples)")
            }
        }
        if let path = data.path {
            // The C calls that open it would stop at the NUL and read another file.
            require(!path.contains("\0"), "data.path", "contains a NUL character, which no file name can hold")
            require(!path.isEmpty, "data.path", "is empty; give the data's file (or directory) path")
        }
        if data.source == .csv || data.source == .hdf5 {
            require(data.path != nil, "data.path", "a \(data.source.rawValue) data set needs a file path")
            require(data.task != nil, "data.task", "a \(data.source.rawValue) data set needs a task: classification or regression")
        }
        problems += sizeProblems()
        return problems
    }

    /// What one run's model may need, so that no buffer exceeds memory: the parameters
    /// (with their gradient and optimizer state, five Float32 values each), and the
    /// activations and deltas of one batch or evaluation chunk.
    public static let limits = (width: 65_536, layers: 64, epochs: 1_000_000, batch: 10_000_000, blasThreads: 1024,
                                parameters: 100_000_000, workspaceValues: 250_000_000)

    /// The largest seed a float64 coordinate holds exactly, with every integer below it.
    public static let largestSeed: UInt64 = 1 << 53

    /// Sizes a user writes that no data set is needed to check.
    private func sizeProblems() -> [ConfigurationError] {
        let limits = Self.limits
        var problems = data.sizeProblems.map { ConfigurationError(field: "data.\($0.field)", $0.message) }
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
        if training.blasThreads > limits.blasThreads {
            problems.append(ConfigurationError(field: "training.blas_threads", "at most \(limits.blasThreads), got \(training.blasThreads)"))
        }
        // A results file's seed coordinates are float64, as every numeric axis is (so that
        // xarray selects by value): above 2^53 two seeds would share one coordinate.
        for (field, seed) in [("training.seed", training.seed), ("data.seed", data.seed)] where seed > Self.largestSeed {
            problems.append(ConfigurationError(field: field, "at most 2^53 = \(Self.largestSeed), got \(seed): a results file's "
                                               + "seed coordinates are float64, which hold no larger integer exactly"))
        }
        if problems.isEmpty, let shape = data.shapeWithoutReading {
            problems += modelSizeProblems(on: shape)
        }
        return problems
    }

    /// Whether the model and its buffers fit the limits on data of `shape`; called with the
    /// spec's shape before loading, and with the loaded shape for CSV and HDF5 files.
    ///
    /// Counts in Double, which cannot overflow at these magnitudes, before any Int is formed.
    public func modelSizeProblems(on shape: DataShape) -> [ConfigurationError] {
        let limits = Self.limits
        guard model.hidden.allSatisfy({ (1...limits.width).contains($0) }), model.hidden.count <= limits.layers,
              shape.features >= 1, shape.outputs >= 1 else { return [] }
        var problems: [ConfigurationError] = []
        let widths = layerWidths(on: shape)
        let parameters = Self.parameterCount(widths: widths)
        if parameters > Double(limits.parameters) {
            problems.append(ConfigurationError(
                field: "model.hidden",
                "the model would have \(Self.round(parameters)) parameters on \(shape.features) features and \(shape.outputs) outputs, "
                    + "more than \(limits.parameters)"))
        }
        // The rows of one pass: the batch (never more than the training points), or an
        // evaluation chunk (as TrainingSession sizes its workspace).
        let train = Double(max(shape.trainPoints, 1))
        let batch = min(training.batchSize.map(Double.init) ?? train, train)
        let rows = max(batch, min(Double(TrainingSession.evaluationChunkRows), max(train, Double(shape.testPoints))))
        let workspace = rows * widths.dropFirst().reduce(0, +) + batch * widths[0]
        if workspace > Double(limits.workspaceValues) {
            problems.append(ConfigurationError(
                field: "training.batch_size",
                "a batch of \(Self.round(batch)) rows through layers of \(widths.dropFirst().map { Self.round($0) }) needs "
                    + "\(Self.round(workspace)) activation values, more than \(limits.workspaceValues); use a smaller batch or model"))
        }
        return problems
    }

    /// The widths of the model's layers on data of `shape`, inputs first, outputs last; in
    /// Double, so that sizes beyond any limit are counted without overflow.
    func layerWidths(on shape: DataShape) -> [Double] {
        ([shape.features] + model.hidden + [shape.outputs]).map(Double.init)
    }

    /// Weights and biases of a network whose layers have `widths`.
    static func parameterCount(widths: [Double]) -> Double {
        zip(widths, widths.dropFirst()).reduce(0.0) { $0 + ($1.0 + 1) * $1.1 }
    }

    /// Every problem of this configuration on a loaded data set: the model against the
    /// task (`ModelFactory`) and the sizes against the limits.
    public func problems(on dataset: Dataset) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        do {
            _ = try ModelFactory.architecture(for: model, dataset: dataset)
        } catch let error as ConfigurationError {
            problems.append(error)
        } catch {
            problems.append(ConfigurationError(field: "model", "\(error)"))
        }
        return problems + modelSizeProblems(on: DataShape(dataset))
    }

    private static func round(_ value: Double) -> String {
        value < 1e15 ? String(Int64(value)) : String(format: "%.3g", value)
    }
}
