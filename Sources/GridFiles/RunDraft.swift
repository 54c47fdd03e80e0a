import Datasets
import Models
import Optimization
import Training

/// A run's configuration while the grid file's settings are written into it.
///
/// Starts from the initialisers' defaults; the fields without one (data source, model kind,
/// optimizer kind, epochs, learning rate) hold placeholders until `given` says they were set.
struct RunDraft {
    var configuration = RunConfiguration(
        data: DataSpec(source: .fashionMNIST), model: ModelSpec(kind: .mlp),
        optimizer: OptimizerSpec(kind: .sgd), regularization: RegularizationSpec(),
        schedule: ScheduleSpec(), training: TrainingSpec(epochs: 1))
    /// Ids of the fields set by the file (section or axis), for the required-field check.
    var given: Set<String> = []
    /// Where each given field was set, so cross-field problems point at the right line.
    var origins: [String: GridLocation] = [:]
    /// Schedule parameter keys the file wrote (section or axis entry): they appear in labels
    /// even when equal to the default, as `t_mult=2` does in `warm-restarts(t0=5,t_mult=2)`.
    var scheduleMentioned: Set<String> = []
    /// The optimizer was named by a shorthand (`adamw`): its kind is set, and the penalty it
    /// implies is applied by `applyShorthand` once every field is written.
    var optimizerShorthand: OptimizerShorthand?

    /// Writes `value` into `field` and remembers where it came from.
    mutating func set(_ field: GridField, to value: GridValue, at location: GridLocation) {
        field.write(&self, value)
        given.insert(field.id)
        origins[field.id] = location
        if field.section == "schedule", field.key != "kind", !field.key.isEmpty {
            scheduleMentioned.insert(field.key)
        }
    }
}

extension RunDraft {
    /// Applies an optimizer shorthand's penalty, unless the file chose another one.
    ///
    /// - Returns: the contradiction between the shorthand and the penalty written, if any.
    mutating func applyShorthand() -> String? {
        guard let shorthand = optimizerShorthand else { return nil }
        if given.contains("regularization.penalty"),
           let conflict = shorthand.conflict(withPenalty: configuration.regularization.penalty) {
            return conflict
        }
        configuration.regularization.penalty = shorthand.penalty
        return nil
    }
}
