/// How weights are kept small: a penalty in the loss, a decay in the update, or a constraint.
///
/// The one place where penalty versus decay is decided is `UpdateChain.make`.
public struct RegularizationSpec: Codable, Hashable, Sendable {
    public enum Penalty: String, Codable, CaseIterable, Sendable {
        /// No penalty, decay or constraint.
        case none
        /// Loss + (λ/2)·‖w‖², so the gradient gains λ·w (PyTorch's `weight_decay` in Adam/SGD).
        case l2
        /// Loss + λ·‖w‖₁, so the gradient gains λ·sign(w) with sign(0) = 0.
        case l1
        /// Decoupled weight decay in the update (SGDW, AdamW); see `DecayConvention`.
        case decoupled
        /// The hard form ‖w‖² ≤ λ: after each step the weights are projected onto that ball.
        case normBall = "norm-ball"
    }

    /// How decoupled decay is scaled.
    public enum DecayConvention: String, Codable, CaseIterable, Sendable {
        /// Loshchilov & Hutter, Alg. 1–2: θ ← θ − η_t·λ·θ (the schedule multiplier only).
        case paper
        /// PyTorch `AdamW`, Optax `adamw`: θ ← θ·(1 − α·η_t·λ), so λ_torch = λ_paper / α.
        case torch
    }

    public var penalty: Penalty
    /// λ: the penalty or decay coefficient; for `normBall` the bound on ‖w‖².
    public var lambda: Double
    public var decayConvention: DecayConvention
    /// Whether `lambda` is λ_norm, scaled to λ = λ_norm·√(b/(B·T)) (paper, App. B.1).
    public var normalized: Bool
    /// Whether biases are penalised or decayed too (default: weights only).
    public var includeBiases: Bool

    public init(penalty: Penalty = .none, lambda: Double = 0, decayConvention: DecayConvention = .torch,
                normalized: Bool = false, includeBiases: Bool = false) {
        self.penalty = penalty
        self.lambda = lambda
        self.decayConvention = decayConvention
        self.normalized = normalized
        self.includeBiases = includeBiases
    }
}
