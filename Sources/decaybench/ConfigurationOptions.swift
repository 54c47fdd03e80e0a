import ArgumentParser
import Datasets
import Foundation
import Models
import Optimization
import Training

/// Every setting of one run as command-line options; the same fields a grid file sets.
struct ConfigurationOptions: ParsableArguments {
    // MARK: Data
    @Option(help: "Data set.")
    var dataset: DataSpec.Source = .fashionMNIST
    @Option(help: ArgumentHelp("Directory of IDX files, or the CSV/HDF5 file.", discussion: "Default for fashion-mnist: $DECAYBENCH_FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist; for mnist: $DECAYBENCH_MNIST_DIR."))
    var dataPath: String?
    @Option(help: "Train on a random subset of this many points (drawn with --data-seed).")
    var trainSubset: Int?
    @Option(help: "Evaluate on a random subset of this many test points.")
    var testSubset: Int?
    @Option(help: "Held-out fraction for data without a test split (synthetic, CSV, HDF5).")
    var testFraction: Double = 0.2
    @Flag(help: "Standardise features with the training mean and standard deviation.")
    var standardize = false
    @Option(help: "Seed of the data subset, split and synthetic generation.")
    var dataSeed: UInt64 = 0
    @Option(help: "Synthetic data: points generated.")
    var samples: Int = 1000
    @Option(help: "Synthetic data: features.")
    var features: Int = 20
    @Option(help: "Synthetic classification: classes.")
    var classes: Int = 3
    @Option(help: "Synthetic data: noise standard deviation.")
    var noise: Double = 0.1
    @Option(help: "CSV: target column, 0-based; negative counts from the end.")
    var targetColumn: Int = -1
    @Flag(help: "CSV: the file has no header line.")
    var noHeader = false
    @Option(help: "CSV and HDF5: classification or regression.")
    var task: TaskKind?
    @Option(help: "HDF5: path of the feature matrix in the file.")
    var featuresDataset: String = "X"
    @Option(help: "HDF5: path of the target vector in the file.")
    var targetsDataset: String = "y"

    // MARK: Model
    @Option(help: "Model: linear (regression, MSE), softmax (multinomial logistic) or mlp.")
    var model: ModelSpec.Kind = .mlp
    @Option(help: "Hidden layer widths, comma-separated (mlp only).")
    var hidden: WidthsArgument = WidthsArgument(argument: "256,256")!
    @Option(help: "Hidden activation.")
    var activation: ModelSpec.Activation = .relu
    @Option(name: .customLong("init"), help: "Weight initialisation (biases start at zero).")
    var initialization: ModelSpec.Initialization = .he

    // MARK: Optimizer
    @Option(help: "Optimizer.")
    var optimizer: OptimizerSpec.Kind = .adam
    @Option(help: "Base learning rate α.")
    var lr: Double = 1e-3
    @Option(help: "SGD momentum μ.")
    var momentum: Double = 0.9
    @Option(help: "Adam β1.")
    var beta1: Double = 0.9
    @Option(help: "Adam β2.")
    var beta2: Double = 0.999
    @Option(help: "Adam ε.")
    var epsilon: Double = 1e-8

    // MARK: Regularization
    @Option(help: "none, l2 or l1 (penalty in the loss), decoupled (decay in the update), norm-ball (‖w‖² ≤ λ).")
    var penalty: RegularizationSpec.Penalty = .none
    @Option(name: .customLong("lambda"), help: "λ: penalty or decay coefficient; the bound on ‖w‖² for norm-ball.")
    var lambda: Double = 0
    @Option(help: "Decoupled decay: paper (θ −= η_t·λ·θ) or torch (θ −= α·η_t·λ·θ).")
    var decayConvention: RegularizationSpec.DecayConvention = .torch
    @Flag(help: "Read λ as λ_norm: λ = λ_norm·√(b/(B·T)) (paper App. B.1).")
    var normalizedDecay = false
    @Flag(help: "Penalise and decay biases too.")
    var includeBiases = false

    // MARK: Schedule
    @Option(help: "Learning-rate schedule η_t.")
    var schedule: ScheduleSpec.Kind = .constant
    @Option(help: "step: epochs between drops.")
    var stepEvery: Double = 30
    @Option(help: "step and exponential: factor per drop or per epoch.")
    var factor: Double = 0.1
    @Flag(help: "exponential: decay once per whole epoch.")
    var staircase = false
    @Option(help: "cosine and warm-restarts: floor η_min as a fraction of α.")
    var etaMin: Double = 0
    @Option(help: "warm-restarts: first period T_0 in epochs.")
    var t0: Double = 10
    @Option(help: "warm-restarts: period growth T_mult.")
    var tMult: Double = 2
    @Option(help: "Linear warm-up over this many steps.")
    var warmupSteps: Int = 0

    // MARK: Training
    @Option(help: "Epochs.")
    var epochs: Int = 5
    @Option(help: "Minibatch size, or \"full\".")
    var batchSize: BatchSizeArgument = BatchSizeArgument(argument: "128")!
    @Option(help: "Seed of the initial weights and the batch order.")
    var seed: UInt64 = 0
    // One thread by default: at these models' sizes more threads gain little on an idle
    // machine, and on a busy one OpenBLAS's spinning threads make an epoch several times slower.
    @Option(help: "OpenBLAS threads (default 1; measured faster than more on a shared machine).")
    var blasThreads: Int = 1

    var runConfiguration: RunConfiguration {
        RunConfiguration(
            data: DataSpec(
                source: dataset, path: dataPath, trainSubset: trainSubset, testSubset: testSubset,
                testFraction: testFraction, standardize: standardize, seed: dataSeed, samples: samples,
                features: features, classes: classes, noise: noise, targetColumn: targetColumn,
                header: !noHeader, task: task, featuresDataset: featuresDataset, targetsDataset: targetsDataset),
            model: ModelSpec(kind: model, hidden: model == .mlp ? hidden.widths : [], activation: activation, initialization: initialization),
            optimizer: OptimizerSpec(kind: optimizer, learningRate: lr, momentum: momentum, beta1: beta1, beta2: beta2, epsilon: epsilon),
            regularization: RegularizationSpec(penalty: penalty, lambda: lambda, decayConvention: decayConvention,
                                               normalized: normalizedDecay, includeBiases: includeBiases),
            schedule: ScheduleSpec(kind: schedule, every: stepEvery, factor: factor, staircase: staircase,
                                   minimum: etaMin, t0: t0, tMult: tMult, warmupSteps: warmupSteps),
            training: TrainingSpec(epochs: epochs, batchSize: batchSize.size, seed: seed, blasThreads: blasThreads))
    }

    func validate() throws {
        let problems = runConfiguration.problems()
        if !problems.isEmpty {
            throw ValidationError(problems.map { "--" + Self.flag(for: $0.field) + ": " + $0.message }.joined(separator: "\n"))
        }
    }

    /// The command-line spelling of a configuration field, for error messages.
    static func flag(for field: String) -> String {
        let names = [
            "optimizer.lr": "lr", "regularization.lambda": "lambda", "regularization.normalized": "normalized-decay",
            "schedule.every": "step-every", "schedule.minimum": "eta-min", "schedule.t_mult": "t-mult",
            "schedule.t0": "t0", "schedule.factor": "factor", "schedule.warmup_steps": "warmup-steps",
            "model.kind": "model", "model.hidden": "hidden", "data.path": "data-path",
        ]
        if let name = names[field] { return name }
        return String(field.split(separator: ".").last ?? Substring(field)).replacingOccurrences(of: "_", with: "-")
    }
}
