import Datasets
import Models
import Optimization
import Training

/// The table of every field a grid file can set, in the order they are documented.
enum GridFields {
    /// The sections a block may hold, each a mapping of fields.
    static let sections = ["dataset", "model", "optimizer", "regularization", "schedule", "training"]

    /// Schedule parameters in label order.
    static let scheduleParameterKeys = ["every", "factor", "staircase", "minimum", "t0", "t_mult", "warmup_steps"]

    /// Every field, the whole-schedule pseudo-field (the `schedule` axis) last.
    static func all() -> [GridField] {
        dataset() + model() + optimizer() + regularization() + scheduleParameters(includingKind: true)
            + training() + [wholeSchedule()]
    }

    /// The schedule parameters that change η_t for `kind`; the others are stored but unused.
    static func scheduleParameters(relevantTo kind: ScheduleSpec.Kind) -> Set<String> {
        switch kind {
        case .constant: return ["warmup_steps"]
        case .step: return ["every", "factor", "warmup_steps"]
        case .exponential: return ["factor", "staircase", "warmup_steps"]
        case .cosine: return ["minimum", "warmup_steps"]
        case .warmRestarts: return ["minimum", "t0", "t_mult", "warmup_steps"]
        }
    }

    // MARK: - Sections

    private static func dataset() -> [GridField] {
        [
            choice("dataset", "name", \.configuration.data.source, axisNames: ["dataset", "dataset.name"],
                   requiredBecause: "the data set to train on"),
            optionalText("dataset", "path", \.configuration.data.path, absentWord: "default"),
            optionalInteger("dataset", "train_subset", \.configuration.data.trainSubset, .positive, absentWord: "all"),
            optionalInteger("dataset", "test_subset", \.configuration.data.testSubset, .positive, absentWord: "all"),
            number("dataset", "test_fraction", \.configuration.data.testFraction, .unitInterval),
            optionalNumber("dataset", "validation_fraction", \.configuration.data.validationFraction, .openUnitInterval,
                           absentWord: "none"),
            optionalInteger("dataset", "validation_size", \.configuration.data.validationSize, .positive, absentWord: "none"),
            boolean("dataset", "standardize", \.configuration.data.standardize),
            seed("dataset", "seed", \.configuration.data.seed, axisNames: ["dataset.seed"]),
            integer("dataset", "samples", \.configuration.data.samples, .positive),
            integer("dataset", "features", \.configuration.data.features, .positive),
            integer("dataset", "classes", \.configuration.data.classes, .atLeast(2)),
            number("dataset", "noise", \.configuration.data.noise, .nonNegative),
            integer("dataset", "target_column", \.configuration.data.targetColumn, .any),
            boolean("dataset", "header", \.configuration.data.header),
            optionalChoice("dataset", "task", \.configuration.data.task, absentWord: "auto"),
            text("dataset", "features_dataset", \.configuration.data.featuresDataset),
            text("dataset", "targets_dataset", \.configuration.data.targetsDataset),
        ]
    }

    private static func model() -> [GridField] {
        [
            choice("model", "kind", \.configuration.model.kind, axisNames: ["model", "model.kind"],
                   requiredBecause: "the model to train"),
            integers("model", "hidden", \.configuration.model.hidden, .positive),
            choice("model", "activation", \.configuration.model.activation),
            choice("model", "init", \.configuration.model.initialization),
        ]
    }

    private static func optimizer() -> [GridField] {
        [
            optimizerKind(),
            number("optimizer", "lr", \.configuration.optimizer.learningRate, .positive, requiredBecause: "the base learning rate α"),
            number("optimizer", "momentum", \.configuration.optimizer.momentum, .unitInterval),
            number("optimizer", "beta1", \.configuration.optimizer.beta1, .unitInterval),
            number("optimizer", "beta2", \.configuration.optimizer.beta2, .unitInterval),
            number("optimizer", "epsilon", \.configuration.optimizer.epsilon, .positive),
        ]
    }

    private static func regularization() -> [GridField] {
        [
            choice("regularization", "penalty", \.configuration.regularization.penalty),
            number("regularization", "lambda", \.configuration.regularization.lambda, .nonNegative),
            choice("regularization", "decay_convention", \.configuration.regularization.decayConvention),
            boolean("regularization", "normalized", \.configuration.regularization.normalized),
            boolean("regularization", "include_biases", \.configuration.regularization.includeBiases),
        ]
    }

    private static func scheduleParameters(includingKind: Bool) -> [GridField] {
        // The kind is varied through the `schedule` axis, which also carries its parameters.
        let kind = choice("schedule", "kind", \.configuration.schedule.kind, axisNames: [])
        return (includingKind ? [kind] : []) + [
            number("schedule", "every", \.configuration.schedule.every, .positive),
            number("schedule", "factor", \.configuration.schedule.factor, .shrinkFactor),
            boolean("schedule", "staircase", \.configuration.schedule.staircase),
            number("schedule", "minimum", \.configuration.schedule.minimum, .unitInterval),
            number("schedule", "t0", \.configuration.schedule.t0, .positive),
            number("schedule", "t_mult", \.configuration.schedule.tMult, .atLeast(1)),
            integer("schedule", "warmup_steps", \.configuration.schedule.warmupSteps, .nonNegative),
        ]
    }

    private static func training() -> [GridField] {
        [
            integer("training", "epochs", \.configuration.training.epochs, .positive,
                    requiredBecause: "the number of passes over the training data"),
            optionalInteger("training", "batch_size", \.configuration.training.batchSize, .positive, absentWord: "full"),
            integer("training", "blas_threads", \.configuration.training.blasThreads, .positive),
        ]
    }

    /// The optimizer kind, or a shorthand such as `adamw` that also implies a penalty; the
    /// shorthand is what labels and the canonical form show, as written.
    private static func optimizerKind() -> GridField {
        GridField(
            section: "optimizer", key: "kind", kind: .choice(OptimizerShorthand.optimizerWords), absentWord: nil,
            axisNames: ["optimizer", "optimizer.kind"], requiredBecause: "the optimizer",
            read: { draft in .text(draft.optimizerShorthand?.rawValue ?? draft.configuration.optimizer.kind.rawValue) },
            write: { draft, value in
                guard let word = value.textValue else { return }
                if let shorthand = OptimizerShorthand(rawValue: word) {
                    draft.configuration.optimizer.kind = shorthand.optimizer
                    draft.optimizerShorthand = shorthand
                } else if let kind = OptimizerSpec.Kind(rawValue: word) {
                    draft.configuration.optimizer.kind = kind
                    draft.optimizerShorthand = nil
                }
            })
    }

    /// The `schedule` axis: one entry sets the kind and the parameters it names.
    private static func wholeSchedule() -> GridField {
        let parameters = Dictionary(uniqueKeysWithValues: scheduleParameters(includingKind: false).map { ($0.key, $0) })
        return GridField(
            section: "schedule", key: "", kind: .schedule, absentWord: nil, axisNames: ["schedule"], requiredBecause: nil,
            read: { draft in
                var entry = ScheduleEntry(kind: draft.configuration.schedule.kind.rawValue, parameters: [:])
                for (key, field) in parameters { entry.parameters[key] = field.read(draft) }
                return .schedule(entry)
            },
            write: { draft, value in
                guard case .schedule(let entry) = value else { return }
                draft.configuration.schedule.kind = ScheduleSpec.Kind(rawValue: entry.kind) ?? .constant
                for (key, parameter) in entry.parameters {
                    parameters[key]?.write(&draft, parameter)
                    draft.scheduleMentioned.insert(key)
                }
            })
    }

    // MARK: - Field makers

    /// A field stored at `path`: `wrap` reads it as a grid value, `unwrap` turns an accepted
    /// value back (nil leaves the draft unchanged).
    private static func field<T>(
        _ section: String, _ key: String, _ kind: GridField.Kind, _ path: WritableKeyPath<RunDraft, T>,
        absentWord: String? = nil, axisNames names: [String]? = nil, requiredBecause: String? = nil,
        wrap: @escaping (T) -> GridValue, unwrap: @escaping (GridValue) -> T?
    ) -> GridField {
        GridField(section: section, key: key, kind: kind, absentWord: absentWord,
                  axisNames: names ?? [key, "\(section).\(key)"], requiredBecause: requiredBecause,
                  read: { wrap($0[keyPath: path]) },
                  write: { draft, value in if let stored = unwrap(value) { draft[keyPath: path] = stored } })
    }

    private static func choice<E: RawRepresentable & CaseIterable>(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, E>,
        axisNames names: [String]? = nil, requiredBecause: String? = nil
    ) -> GridField where E.RawValue == String {
        field(section, key, .choice(E.allCases.map(\.rawValue)), path, axisNames: names, requiredBecause: requiredBecause,
              wrap: { .text($0.rawValue) }, unwrap: { value in value.textValue.flatMap(E.init(rawValue:)) })
    }

    private static func optionalChoice<E: RawRepresentable & CaseIterable>(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, E?>, absentWord: String
    ) -> GridField where E.RawValue == String {
        field(section, key, .choice(E.allCases.map(\.rawValue)), path, absentWord: absentWord,
              wrap: { $0.map { .text($0.rawValue) } ?? .absent },
              unwrap: { value in .some(value.textValue.flatMap(E.init(rawValue:))) })
    }

    private static func integer(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, Int>, _ bound: GridBound,
        requiredBecause: String? = nil
    ) -> GridField {
        field(section, key, .integer(bound), path, requiredBecause: requiredBecause,
              wrap: { .integer($0) }, unwrap: \.integerValue)
    }

    private static func optionalInteger(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, Int?>, _ bound: GridBound, absentWord: String
    ) -> GridField {
        field(section, key, .integer(bound), path, absentWord: absentWord,
              wrap: { $0.map { .integer($0) } ?? .absent }, unwrap: { .some($0.integerValue) })
    }

    private static func seed(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, UInt64>, axisNames names: [String]
    ) -> GridField {
        field(section, key, .integer(.nonNegative), path, axisNames: names,
              wrap: { .integer(Int(clamping: $0)) }, unwrap: { $0.integerValue.map { UInt64($0) } })
    }

    private static func number(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, Double>, _ bound: GridBound,
        requiredBecause: String? = nil
    ) -> GridField {
        field(section, key, .number(bound), path, requiredBecause: requiredBecause,
              wrap: { .number($0) }, unwrap: \.doubleValue)
    }

    private static func optionalNumber(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, Double?>, _ bound: GridBound, absentWord: String
    ) -> GridField {
        field(section, key, .number(bound), path, absentWord: absentWord,
              wrap: { $0.map { .number($0) } ?? .absent }, unwrap: { .some($0.doubleValue) })
    }

    private static func boolean(_ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, Bool>) -> GridField {
        field(section, key, .boolean, path, wrap: { .boolean($0) }, unwrap: { value in
            if case .boolean(let flag) = value { return flag }
            return nil
        })
    }

    private static func text(_ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, String>) -> GridField {
        field(section, key, .text, path, wrap: { .text($0) }, unwrap: \.textValue)
    }

    private static func optionalText(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, String?>, absentWord: String
    ) -> GridField {
        field(section, key, .text, path, absentWord: absentWord,
              wrap: { $0.map { .text($0) } ?? .absent }, unwrap: { .some($0.textValue) })
    }

    private static func integers(
        _ section: String, _ key: String, _ path: WritableKeyPath<RunDraft, [Int]>, _ bound: GridBound
    ) -> GridField {
        field(section, key, .integers(bound), path, wrap: { .integers($0) }, unwrap: { value in
            if case .integers(let numbers) = value { return numbers }
            return nil
        })
    }
}
