import Optimization

/// The names people type for an optimizer with decoupled weight decay (`adamw` in PyTorch,
/// Optax and Keras; SGDW in Loshchilov & Hutter), accepted wherever an optimizer is named.
///
/// A shorthand is not an optimizer of its own: it expands to an optimizer kind with penalty
/// `decoupled`, so `adamw` gives exactly the configuration (and the run key) of `adam` with
/// penalty `decoupled`. Naming a different penalty beside it is a contradiction, reported
/// rather than resolved by a silent rule.
public enum OptimizerShorthand: String, CaseIterable, Sendable {
    /// Adam with decoupled decay (Loshchilov & Hutter, Alg. 2; PyTorch's `AdamW`).
    case adamw
    /// SGD with momentum and decoupled decay (Loshchilov & Hutter, Alg. 1, which has momentum).
    case sgdw

    /// The optimizer kind it stands for.
    public var optimizer: OptimizerSpec.Kind {
        switch self {
        case .adamw: return .adam
        case .sgdw: return .sgdMomentum
        }
    }

    /// The penalty it implies: always decoupled decay.
    public var penalty: RegularizationSpec.Penalty { .decoupled }

    /// "adam with penalty decoupled": what it means, for help and messages.
    public var meaning: String { "\(optimizer.rawValue) with penalty \(penalty.rawValue)" }

    /// Why the shorthand cannot stand beside an explicitly chosen `penalty`; nil when they agree.
    public func conflict(withPenalty penalty: RegularizationSpec.Penalty) -> String? {
        guard penalty != self.penalty else { return nil }
        return "'\(rawValue)' means \(meaning), which contradicts penalty '\(penalty.rawValue)'; "
            + "for \(optimizer.rawValue) with penalty '\(penalty.rawValue)' name the optimizer '\(optimizer.rawValue)'"
    }

    /// Every word accepted as an optimizer: the kinds, then the shorthands.
    public static var optimizerWords: [String] {
        OptimizerSpec.Kind.allCases.map(\.rawValue) + allCases.map(\.rawValue)
    }
}
