/// The optimizer's algorithm and its constants; part of every run's configuration.
public struct OptimizerSpec: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Plain stochastic gradient descent.
        case sgd
        /// SGD with heavy-ball momentum (PyTorch's buffer form, dampening 0).
        case sgdMomentum = "sgd-momentum"
        /// SGD with Nesterov momentum (PyTorch's form).
        case sgdNesterov = "sgd-nesterov"
        /// Adam (Kingma & Ba), bias-corrected.
        case adam
        /// Adam with the running maximum of v̂ in the denominator (Reddi et al.).
        case amsgrad
    }

    public var kind: Kind
    /// The base learning rate α > 0 (the grid's `lr` axis); the schedule multiplies it by η_t.
    public var learningRate: Double
    /// Momentum μ for the SGD kinds with momentum. In [0, 1).
    public var momentum: Double
    /// Adam's β1 and β2, in [0, 1).
    public var beta1: Double
    public var beta2: Double
    /// Adam's ε, added to √v̂.
    public var epsilon: Double

    public init(kind: Kind, learningRate: Double = 1e-3, momentum: Double = 0.9, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }
}

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

/// The learning-rate schedule η_t, a multiplier in (0, 1] of the base rate α.
public struct ScheduleSpec: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case constant
        /// factor^⌊epoch / every⌋ (PyTorch StepLR stepped once per epoch).
        case step
        /// factor^epoch with fractional epochs, or factor^⌊epoch⌋ when `staircase`.
        case exponential
        /// η_min + ½(1 − η_min)(1 + cos(π·epoch/T)), T = the run's epochs.
        case cosine
        /// Cosine over periods T_0, T_0·T_mult, …, restarting each (SGDR).
        case warmRestarts = "warm-restarts"
    }

    public var kind: Kind
    /// Step: epochs between drops.
    public var every: Double
    /// Step and exponential: the multiplier per drop or per epoch.
    public var factor: Double
    /// Exponential: decay once per whole epoch instead of continuously.
    public var staircase: Bool
    /// Cosine and warm restarts: the floor η_min, as a fraction of α.
    public var minimum: Double
    /// Warm restarts: the first period T_0, in epochs.
    public var t0: Double
    /// Warm restarts: period growth T_{i+1} = T_i·T_mult.
    public var tMult: Double
    /// Linear warm-up from 0 over this many steps, multiplied into any schedule.
    public var warmupSteps: Int

    public init(kind: Kind = .constant, every: Double = 30, factor: Double = 0.1, staircase: Bool = false,
                minimum: Double = 0, t0: Double = 10, tMult: Double = 2, warmupSteps: Int = 0) {
        self.kind = kind
        self.every = every
        self.factor = factor
        self.staircase = staircase
        self.minimum = minimum
        self.t0 = t0
        self.tMult = tMult
        self.warmupSteps = warmupSteps
    }
}
