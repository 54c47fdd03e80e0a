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
