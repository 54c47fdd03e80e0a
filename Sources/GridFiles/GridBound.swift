import Planning
/// The range a number in a grid file must lie in, with the words used to describe it.
struct GridBound: Sendable {
    var lower: Double?
    var lowerInclusive = true
    var upper: Double?
    var upperInclusive = false

    static let any = GridBound()
    static let nonNegative = GridBound(lower: 0)
    static let positive = GridBound(lower: 0, lowerInclusive: false)
    /// [0, 1): momentum, betas, fractions held out, cosine floors.
    static let unitInterval = GridBound(lower: 0, upper: 1)
    /// (0, 1): a validation fraction, which must hold out something and leave something.
    static let openUnitInterval = GridBound(lower: 0, lowerInclusive: false, upper: 1)
    /// (0, 1]: multipliers that may only shrink the learning rate.
    static let shrinkFactor = GridBound(lower: 0, lowerInclusive: false, upper: 1, upperInclusive: true)

    static func atLeast(_ value: Double) -> GridBound { GridBound(lower: value) }

    func contains(_ value: Double) -> Bool {
        if let lower, lowerInclusive ? value < lower : value <= lower { return false }
        if let upper, upperInclusive ? value > upper : value >= upper { return false }
        return true
    }

    /// "> 0", "≥ 2", "in [0, 1)", or "" for any value.
    var phrase: String {
        switch (lower, upper) {
        case let (lower?, upper?):
            return "in \(lowerInclusive ? "[" : "(")\(NumberLabel.format(lower)), \(NumberLabel.format(upper))\(upperInclusive ? "]" : ")")"
        case let (lower?, nil):
            return "\(lowerInclusive ? "≥" : ">") \(NumberLabel.format(lower))"
        case let (nil, upper?):
            return "\(upperInclusive ? "≤" : "<") \(NumberLabel.format(upper))"
        case (nil, nil):
            return ""
        }
    }
}
