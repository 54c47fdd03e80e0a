import Models

/// How a run ended.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// Trained for every epoch.
    case finished
    /// A loss or parameter became non-finite; the run stopped there.
    case diverged
    /// The run could not start or stopped on an error (see the message).
    case failed
    /// Stopped from outside (Ctrl-C) before it finished; its numbers are incomplete.
    case interrupted
}

/// The metrics at the end of one epoch.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    /// η_t at the epoch's last step.
    public var multiplier: Double
    /// Mean data loss (no penalty) over the whole split, after the epoch.
    public var trainLoss: Double
    public var testLoss: Double
    /// Misclassified fraction (classification) or mean squared error (regression).
    public var trainError: Double
    public var testError: Double
    /// Loss and error on the validation split; NaN when the data set has none.
    public var validationLoss: Double
    public var validationError: Double
    /// ‖w‖₂ over the weights (biases excluded).
    public var weightNorm: Double
    /// Wall-clock seconds of the epoch's training steps (evaluation excluded).
    public var seconds: Double

    public init(epoch: Int, multiplier: Double, trainLoss: Double, testLoss: Double, trainError: Double,
                testError: Double, weightNorm: Double, seconds: Double,
                validationLoss: Double = .nan, validationError: Double = .nan) {
        self.epoch = epoch
        self.multiplier = multiplier
        self.trainLoss = trainLoss
        self.testLoss = testLoss
        self.trainError = trainError
        self.testError = testError
        self.validationLoss = validationLoss
        self.validationError = validationError
        self.weightNorm = weightNorm
        self.seconds = seconds
    }
}

/// Everything a run produced.
public struct RunResult: Sendable {
    public var configuration: RunConfiguration
    public var key: String
    public var status: RunStatus
    /// Why a run diverged or failed; nil when it finished.
    public var message: String?
    public var epochs: [EpochRecord]
    /// Final parameters, named by `layout`.
    public var parameters: [Float]
    public var layout: ParameterLayout
    /// λ actually used at the first step (differs from the configured λ when normalized).
    public var effectiveLambda: Double
    /// λ actually applied, in the run's decay convention, once per value in the order the
    /// run used them: one entry, except under normalized decay with growing warm-restart
    /// periods (one per period length). Empty when the run could not start.
    public var appliedLambdas: [Double]
    /// Wall-clock seconds of the whole run, evaluation included.
    public var seconds: Double

    public init(configuration: RunConfiguration, key: String, status: RunStatus, message: String?,
                epochs: [EpochRecord], parameters: [Float], layout: ParameterLayout,
                effectiveLambda: Double, appliedLambdas: [Double] = [], seconds: Double) {
        self.configuration = configuration
        self.key = key
        self.status = status
        self.message = message
        self.epochs = epochs
        self.parameters = parameters
        self.layout = layout
        self.effectiveLambda = effectiveLambda
        self.appliedLambdas = appliedLambdas
        self.seconds = seconds
    }

    /// The run's final, last finite and best epochs, as results report them.
    public var outcome: RunOutcome {
        RunOutcome(epochs: epochs, completed: status == .finished, selectedOn: SelectionSplit(data: configuration.data))
    }

    /// The named final tensors: (name, shape, values).
    public var namedParameters: [(name: String, shape: [Int], values: [Float])] {
        layout.entries.map { ($0.name, $0.shape, Array(parameters[$0.range])) }
    }
}
