import Foundation
import TensorMath

/// The few statistics the claims need, written out so their definitions are in one place.
enum Statistics {
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (n − 1); nil with fewer than two values.
    static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count > 1, let mean = mean(values) else { return nil }
        // Equal values have no spread; their computed mean may be off by an ulp, and the
        // squared differences would then give a spread of 1e-17 (which made `compare` flag
        // any change of a cell whose seeds agree).
        if values.allSatisfy({ $0 == values[0] }) { return 0 }
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    /// The two-sided 95% Student t interval of the mean (nil for fewer than two values).
    static func tInterval(_ values: [Double]) -> Interval? {
        guard let mean = mean(values), let half = tHalfWidth(values) else { return nil }
        return Interval(lower: mean - half, upper: mean + half)
    }

    /// Half the width of that interval: t₀.₉₇₅ · s / √n (nil for fewer than two values).
    static func tHalfWidth(_ values: [Double]) -> Double? {
        guard values.count > 1, let sd = standardDeviation(values) else { return nil }
        return tQuantile975(degreesOfFreedom: values.count - 1) * sd / Double(values.count).squareRoot()
    }

    /// The 97.5% quantile of Student's t distribution: tabulated to 30 degrees of freedom,
    /// then the Cornish–Fisher expansion around the normal quantile (2.0395 at 31, within
    /// 1e-4 of the true value; a flat 1.96 there made intervals 4% too narrow).
    static func tQuantile975(degreesOfFreedom: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        guard degreesOfFreedom >= 1 else { return .nan }
        if degreesOfFreedom <= table.count { return table[degreesOfFreedom - 1] }
        let z = 1.959964, v = Double(degreesOfFreedom)
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
    }

    /// The value at fraction `q` of `sorted` (linear interpolation between order statistics).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + fraction * (sorted[above] - sorted[below])
    }

    /// Least-squares slope of y on x (nil for fewer than two distinct x).
    static func slope(x: [Double], y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2, let mx = mean(x), let my = mean(y) else { return nil }
        let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        guard sxx > 0 else { return nil }
        return zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +) / sxx
    }

    /// Spearman's rank correlation (ties get their mean rank); nil for fewer than three pairs
    /// or a constant variable.
    static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 3 else { return nil }
        let rx = ranks(x), ry = ranks(y)
        guard let mx = mean(rx), let my = mean(ry) else { return nil }
        let sxy = zip(rx, ry).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = rx.map { ($0 - mx) * ($0 - mx) }.reduce(0, +), syy = ry.map { ($0 - my) * ($0 - my) }.reduce(0, +)
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }

    /// The share of a complete rows × columns table's variance that an additive model
    /// f(row) + g(column) explains (two-way analysis of variance without interaction).
    /// Nil for fewer than two rows or columns, or a constant table.
    static func additiveShare(_ table: [[Double]]) -> Double? {
        guard table.count >= 2, let width = table.first?.count, width >= 2, table.allSatisfy({ $0.count == width }) else { return nil }
        let all = table.flatMap { $0 }
        guard let grand = mean(all) else { return nil }
        let rowMeans = table.map { mean($0)! }
        let columnMeans = (0..<width).map { column in mean(table.map { $0[column] })! }
        var residual = 0.0, total = 0.0
        for (r, row) in table.enumerated() {
            for (c, value) in row.enumerated() {
                let fitted = rowMeans[r] + columnMeans[c] - grand
                residual += (value - fitted) * (value - fitted)
                total += (value - grand) * (value - grand)
            }
        }
        guard total > 0 else { return nil }
        return 1 - residual / total
    }
}

/// Resamples seeds with replacement, so the interval of a statistic that selects a best cell
/// includes the noise of that selection; widened to a Student t interval where that is wider.
///
/// The percentile interval alone covers far less than 95% with the few seeds a grid has: with
/// three, a resample repeats one seed with probability 1/27, above 2.5%, so the interval of a
/// mean is the range of the three seeds (0.756 coverage for normal data, 0.836 with five, by
/// experiments/report/bootstrap_coverage.py). The t interval on the statistic of each seed
/// alone, centred on the statistic, keeps 95% for a statistic at fixed cells. The interval
/// given is the union of the two: the bootstrap's view of the cell choice, at least the t
/// interval's width.
struct SeedBootstrap {
    /// Fixed so a claims table is the same every time it is computed from the same files.
    static let generatorSeed: UInt64 = 20_190_506
    static let replicates = 2000

    let seeds: [UInt64]

    /// The statistic on the seeds as run, and the union of the 2.5–97.5 percentile interval
    /// over resamples and the t interval of the seeds' own statistics around it; nil interval
    /// when fewer than two seeds or when the statistic is undefined on more than a tenth of
    /// the resamples. (When a seed alone leaves the statistic undefined, the percentile
    /// interval stands alone.)
    func estimate(_ statistic: ([UInt64]) -> Double?) -> (value: Double?, interval: Interval?) {
        let value = statistic(seeds)
        guard seeds.count > 1 else { return (value, nil) }
        var generator = DeterministicRandom(seed: Self.generatorSeed, stream: "seed-bootstrap")
        var values: [Double] = []
        values.reserveCapacity(Self.replicates)
        for _ in 0..<Self.replicates {
            let sample = seeds.indices.map { _ in seeds[generator.nextIndex(below: seeds.count)] }
            if let v = statistic(sample), v.isFinite { values.append(v) }
        }
        guard values.count * 10 >= Self.replicates * 9 else { return (value, nil) }
        values.sort()
        let percentile = Interval(lower: Statistics.quantile(values, 0.025), upper: Statistics.quantile(values, 0.975))
        // Each seed alone, as the resample of that seed n times.
        let perSeed = seeds.map { statistic(Array(repeating: $0, count: seeds.count)) }
        guard let value, value.isFinite, perSeed.allSatisfy({ $0?.isFinite == true }),
              let half = Statistics.tHalfWidth(perSeed.map { $0! }) else { return (value, percentile) }
        return (value, Interval(lower: min(percentile.lower, value - half), upper: max(percentile.upper, value + half)))
    }
}
