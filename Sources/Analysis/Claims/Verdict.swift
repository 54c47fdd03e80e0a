/// What a claim's evidence says: the outcome of its verdict rule.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case reproduced
    case notReproduced = "not reproduced"
    case inconclusive
    /// No file given has the runs the claim needs.
    case notRun = "not run"
}

/// A 95% confidence interval.
public struct Interval: Codable, Sendable, Equatable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// The rule that turns a statistic's confidence interval into a verdict, fixed per claim
/// before any data is seen (and listed in the README).
///
/// The whole interval must clear the threshold for "reproduced", and the whole interval must
/// fall on the other side for "not reproduced"; an interval that straddles it is inconclusive.
public enum VerdictRule: Sendable, Equatable {
    /// Reproduced when the interval lies above the threshold; not reproduced when it lies at or below it.
    case above(Double)
    /// Reproduced when the interval lies below the threshold; not reproduced when it lies at or above it.
    case below(Double)
    /// Reproduced when the interval lies inside [lower, upper]; not reproduced when it misses the band.
    case within(Double, Double)

    public func verdict(for interval: Interval?) -> Verdict {
        guard let interval, interval.lower.isFinite, interval.upper.isFinite else { return .inconclusive }
        switch self {
        case .above(let threshold):
            if interval.lower > threshold { return .reproduced }
            if interval.upper <= threshold { return .notReproduced }
        case .below(let threshold):
            if interval.upper < threshold { return .reproduced }
            if interval.lower >= threshold { return .notReproduced }
        case .within(let lower, let upper):
            if interval.lower >= lower, interval.upper <= upper { return .reproduced }
            if interval.upper < lower || interval.lower > upper { return .notReproduced }
        }
        return .inconclusive
    }

    /// The rule as a sentence for tables and the README.
    public var text: String {
        switch self {
        case .above(let threshold):
            return "reproduced if the 95% CI lies above \(Self.format(threshold)); not reproduced if it lies at or below it"
        case .below(let threshold):
            return "reproduced if the 95% CI lies below \(Self.format(threshold)); not reproduced if it lies at or above it"
        case .within(let lower, let upper):
            return "reproduced if the 95% CI lies inside [\(Self.format(lower)), \(Self.format(upper))]; not reproduced if it misses that band"
        }
    }

    static func format(_ value: Double) -> String {
        value == 0 ? "0" : String(format: "%g", value)
    }
}
