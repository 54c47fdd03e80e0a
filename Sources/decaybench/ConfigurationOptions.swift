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
    var dataset: Typed<DataSpec.Source> = Typed(.fashionMNIST)
    @Option(help: ArgumentHelp("Directory of IDX files, or the CSV/HDF5 file.", discussion: "Default for fashion-mnist: $DECAYBENCH_FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist; for mnist: $DECAYBENCH_MNIST_DIR."))
    var dataPath: String?
    @Option(help: "Train on a random subset of this many points (drawn with --data-seed).")
    var trainSubset: Typed<Int>?
    @Option(help: "Evaluate on a random subset of this many test points.")
    var testSubset: Typed<Int>?
    @Option(help: "Held-out fraction for data without a test split (synthetic, CSV, HDF5).")
    var testFraction: Typed<Double> = Typed(0.2)
    @Flag(help: "Standardise features with the training mean and standard deviation.")
    var standardize = false
    @Option(help: "Seed of the data subset, split and synthetic generation.")
    var dataSeed: Typed<UInt64> = Typed(0)
    @Option(help: "Hold out this fraction of the training split for validation (drawn with --data-seed, before --train-subset).")
    var validationFraction: Typed<Double>?
    @Option(help: "Hold out this many training points for validation instead.")
    var validationSize: Typed<Int>?
    @Option(help: "Synthetic data: points generated.")
    var samples: Typed<Int> = Typed(1000)
    @Option(help: "Synthetic data: features.")
    var features: Typed<Int> = Typed(20)
    @Option(help: "Synthetic classification: classes.")
    var classes: Typed<Int> = Typed(3)
    @Option(help: "Synthetic data: noise standard deviation.")
    var noise: Typed<Double> = Typed(0.1)
    @Option(help: "CSV: target column, 0-based; negative counts from the end.")
    var targetColumn: Typed<Int> = Typed(-1)
    @Flag(help: "CSV: the file has no header line.")
    var noHeader = false
    @Option(help: "CSV and HDF5: classification or regression.")
    var task: Typed<TaskKind>?
    @Option(help: "HDF5: path of the feature matrix in the file.")
    var featuresDataset: String = "X"
    @Option(help: "HDF5: path of the target vector in the file.")
    var targetsDataset: String = "y"

    // MARK: Model
    @Option(help: "Model: linear (regression, MSE), softmax (multinomial logistic) or mlp.")
    var model: Typed<ModelSpec.Kind> = Typed(.mlp)
    @Option(help: "Hidden layer widths, comma-separated (mlp only).")
    var hidden: Typed<WidthsArgument> = Typed(WidthsArgument(argument: "256,256")!)
    @Option(help: "Hidden activation.")
    var activation: Typed<ModelSpec.Activation> = Typed(.relu)
    @Option(name: .customLong("init"), help: "Initialisation: he, glorot or zeros (biases at zero), or torch (nn.Linear's: weights and biases uniform in ±1/√fan_in).")
    var initialization: Typed<ModelSpec.Initialization> = Typed(.he)

    // MARK: Optimizer
    @Option(help: "Optimizer; adamw is adam with --penalty decoupled, sgdw sgd-momentum with it.")
    var optimizer: Typed<OptimizerChoice> = Typed(OptimizerChoice(.adam))
    @Option(help: "Base learning rate α.")
    var lr: Typed<Double> = Typed(1e-3)
    @Option(help: "SGD momentum μ.")
    var momentum: Typed<Double> = Typed(0.9)
    @Option(help: "Adam β1.")
    var beta1: Typed<Double> = Typed(0.9)
    @Option(help: "Adam β2.")
    var beta2: Typed<Double> = Typed(0.999)
    @Option(help: "Adam ε.")
    var epsilon: Typed<Double> = Typed(1e-8)

    // MARK: Regularization
    @Option(help: "none (the default; decoupled with adamw and sgdw), l2 or l1 (penalty in the loss), decoupled (decay in the update), norm-ball (‖w‖² ≤ λ).")
    var penalty: Typed<RegularizationSpec.Penalty>?
    @Option(name: .customLong("lambda"), help: "λ: penalty or decay coefficient; the bound on ‖w‖² for norm-ball.")
    var lambda: Typed<Double> = Typed(0)
    @Option(help: "Decoupled decay: paper (θ −= η_t·λ·θ) or torch (θ −= α·η_t·λ·θ).")
    var decayConvention: Typed<RegularizationSpec.DecayConvention> = Typed(.torch)
    @Flag(help: "Read λ as the paper's λ_norm: λ = λ_norm·√(b/(B·T)) (App. B.1), divided by α under --decay-convention torch.")
    var normalizedDecay = false
    @Flag(help: "Penalise and decay biases too.")
    var includeBiases = false

    // MARK: Schedule
    @Option(help: "Learning-rate schedule η_t.")
    var schedule: Typed<ScheduleSpec.Kind> = Typed(.constant)
    @Option(help: "step: epochs between drops.")
    var stepEvery: Typed<Double> = Typed(30)
    @Option(help: "step and exponential: factor per drop or per epoch.")
    var factor: Typed<Double> = Typed(0.1)
    @Flag(help: "exponential: decay once per whole epoch.")
    var staircase = false
    @Option(help: "cosine and warm-restarts: floor η_min as a fraction of α.")
    var etaMin: Typed<Double> = Typed(0)
    @Option(help: "warm-restarts: first period T_0 in epochs.")
    var t0: Typed<Double> = Typed(10)
    @Option(help: "warm-restarts: period growth T_mult.")
    var tMult: Typed<Double> = Typed(2)
    @Option(help: "Linear warm-up over this many steps.")
    var warmupSteps: Typed<Int> = Typed(0)

    // MARK: Training
    @Option(help: "Epochs.")
    var epochs: Typed<Int> = Typed(5)
    @Option(help: "Minibatch size, or \"full\".")
    var batchSize: Typed<BatchSizeArgument> = Typed(BatchSizeArgument(argument: "128")!)
    @Option(help: "Seed of the initial weights and the batch order.")
    var seed: Typed<UInt64> = Typed(0)
    // One thread by default: at these models' sizes more threads gain little on an idle
    // machine, and on a busy one OpenBLAS's spinning threads make an epoch several times slower.
    @Option(help: "OpenBLAS threads (default 1; measured faster than more on a shared machine).")
    var blasThreads: Typed<Int> = Typed(1)

    /// The run the options describe; an option that did not parse counts as its default
    /// (`validate()` has reported it).
    var runConfiguration: RunConfiguration {
        // The defaults are parsed only for a value that did not parse, so parsing them (which
        // validates them) never comes back here.
        func pick<T>(_ path: KeyPath<ConfigurationOptions, Typed<T>>) -> T {
            self[keyPath: path].value ?? Self.defaults[keyPath: path].value!
        }
        let model = pick(\.model)
        let optimizer = pick(\.optimizer)
        return RunConfiguration(
            data: DataSpec(
                source: pick(\.dataset), path: dataPath, trainSubset: trainSubset?.value, testSubset: testSubset?.value,
                testFraction: pick(\.testFraction), standardize: standardize, seed: pick(\.dataSeed), samples: pick(\.samples),
                features: pick(\.features), classes: pick(\.classes), noise: pick(\.noise), targetColumn: pick(\.targetColumn),
                header: !noHeader, task: task?.value, featuresDataset: featuresDataset, targetsDataset: targetsDataset,
                validationFraction: validationFraction?.value, validationSize: validationSize?.value),
            model: ModelSpec(kind: model, hidden: model == .mlp ? pick(\.hidden).widths : [], activation: pick(\.activation),
                             initialization: pick(\.initialization)),
            optimizer: OptimizerSpec(kind: optimizer.kind, learningRate: pick(\.lr), momentum: pick(\.momentum),
                                     beta1: pick(\.beta1), beta2: pick(\.beta2), epsilon: pick(\.epsilon)),
            regularization: RegularizationSpec(penalty: penalty?.value ?? optimizer.shorthand?.penalty ?? .none, lambda: pick(\.lambda),
                                               decayConvention: pick(\.decayConvention), normalized: normalizedDecay,
                                               includeBiases: includeBiases),
            schedule: ScheduleSpec(kind: pick(\.schedule), every: pick(\.stepEvery), factor: pick(\.factor), staircase: staircase,
                                   minimum: pick(\.etaMin), t0: pick(\.t0), tMult: pick(\.tMult), warmupSteps: pick(\.warmupSteps)),
            training: TrainingSpec(epochs: pick(\.epochs), batchSize: pick(\.batchSize).size, seed: pick(\.seed),
                                   blasThreads: pick(\.blasThreads)))
    }

    /// The options as parsed from nothing: every default.
    private static var defaults: ConfigurationOptions {
        do { return try ConfigurationOptions.parse([]) } catch { preconditionFailure("the defaults do not parse: \(error)") }
    }

    /// Every problem with the options at once: values that do not parse, an optimizer
    /// shorthand against the penalty, then the configuration's own checks (sizes, ranges).
    func problems() -> [String] {
        var problems: [String] = []
        var unparsedFlags = Set<String>()
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let option = child.value as? UnparsedArgument,
                  let (text, expected) = option.unparsed else { continue }
            let flag = Self.flag(forProperty: label)
            unparsedFlags.insert(flag)
            problems.append("--\(flag): expected \(expected), got '\(text)'")
        }
        if let kind = model.value, kind != .mlp, !hidden.isDefault {
            // The default widths are for MLPs; widths typed for another model would be dropped in silence.
            problems.append("--hidden: \(kind.rawValue) models have no hidden layers; use --model mlp or drop --hidden")
        }
        if let shorthand = optimizer.value?.shorthand, let penalty = penalty?.value,
           let conflict = shorthand.conflict(withPenalty: penalty) {
            problems.append("--optimizer \(shorthand.rawValue) with --penalty \(penalty.rawValue): \(conflict)")
        }
        for problem in runConfiguration.problems() where !unparsedFlags.contains(Self.flag(for: problem.field)) {
            problems.append("--" + Self.flag(for: problem.field) + ": " + problem.message)
        }
        return problems
    }

    func validate() throws {
        let problems = problems()
        if !problems.isEmpty {
            throw ValidationError(problems.joined(separator: "\n"))
        }
    }

    /// The flag of a stored option property (`_dataPath` → `data-path`), as ArgumentParser
    /// spells it.
    static func flag(forProperty label: String) -> String {
        let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
        if name == "initialization" { return "init" }
        var flag = ""
        for character in name {
            if character.isUppercase { flag += "-" + character.lowercased() } else { flag.append(character) }
        }
        return flag
    }

    /// The command-line spelling of a configuration field, for error messages.
    static func flag(for field: String) -> String {
        let names = [
            "optimizer.lr": "lr", "regularization.lambda": "lambda", "regularization.normalized": "normalized-decay",
            "schedule.every": "step-every", "schedule.minimum": "eta-min", "schedule.t_mult": "t-mult",
            "schedule.t0": "t0", "schedule.factor": "factor", "schedule.warmup_steps": "warmup-steps",
            "model.kind": "model", "model.hidden": "hidden", "data.path": "data-path", "data.seed": "data-seed",
            "model.init": "init",
        ]
        if let name = names[field] { return name }
        return String(field.split(separator: ".").last ?? Substring(field)).replacingOccurrences(of: "_", with: "-")
    }
}
