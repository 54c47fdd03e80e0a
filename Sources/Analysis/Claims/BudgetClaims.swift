import Foundation
import Results
import Optimization
import Training

extension Claim {
    /// Paper App. B.1, Fig. 4: the best λ_norm stays put across budgets while the best raw λ shifts.
    static let normalizedDecay = Claim(
        id: "normalized-decay",
        statement: "Normalized decay keeps the best λ_norm stable across training budgets T, while the best raw λ shifts",
        source: "paper App. B.1, Fig. 4",
        statistic: "spread (max − min of log10 λ* over budgets) of the best raw λ minus that of the best λ_norm, each chosen on the selection split per budget; seed bootstrap",
        rule: .above(0),
        needs: "decoupled cells with normalized false and true over ≥ 2 budgets (epochs)",
        evaluate: { evidence in
            let decoupled = evidence.cells.filter { $0.configuration.regularization.penalty == .decoupled && $0.lambda > 0 }
            return ContextFields([.lambda, .learningRate, .epochs, .normalized]).labelledContexts(of: decoupled).compactMap { context, label in
                let raw = context.cells.filter { !$0.configuration.regularization.normalized }
                let normalized = context.cells.filter { $0.configuration.regularization.normalized }
                let budgets = Array(Set(raw.map(\.configuration.training.epochs)).intersection(normalized.map(\.configuration.training.epochs))).sorted()
                guard budgets.count >= 2 else { return nil }
                func bestLambdas(_ cells: [Cell], _ sample: [UInt64]) -> [Double] {
                    budgets.compactMap { budget in CellSelection.best(cells.filter { $0.configuration.training.epochs == budget }, on: sample)?.lambda }
                }
                func spread(_ lambdas: [Double]) -> Double? {
                    guard lambdas.count == budgets.count, let low = lambdas.min(), let high = lambdas.max() else { return nil }
                    return log10(high) - log10(low)
                }
                let (value, interval) = SeedBootstrap(seeds: evidence.seeds).estimate { sample in
                    guard let a = spread(bestLambdas(raw, sample)), let b = spread(bestLambdas(normalized, sample)) else { return nil }
                    // Equal spreads on two grids differ by rounding (log10 0.004/0.001 vs 0.08/0.02): call them equal.
                    return ((a - b) * 1e9).rounded() / 1e9
                }
                let format = { (lambdas: [Double]) in zip(budgets, lambdas).map { "T=\($0)→\(ClaimMeasures.format($1))" }.joined(separator: ", ") }
                return Finding(scope: label, value: value, interval: interval, seeds: evidence.seeds.count, notes: [
                    "best raw λ: " + format(bestLambdas(raw, evidence.seeds)),
                    "best λ_norm: " + format(bestLambdas(normalized, evidence.seeds)),
                ])
            }
        })

    /// Paper App. B.2, §5: warm restarts give good results at every restart, not just at the end.
    static let warmRestartsAnytime = Claim(
        id: "warm-restarts-anytime",
        statement: "Warm restarts improve anytime performance: at every restart before the end, AdamWR beats a cosine run of the full budget stopped there",
        source: "paper §5, App. B.2, Fig. 5",
        statistic: "test error of the best full-budget cosine cell minus that of the best warm-restarts cell at each restart before the end (each chosen on the selection split at that epoch), mean over restarts, paired over seeds; seed bootstrap",
        rule: .above(0),
        needs: "warm-restarts cells and cosine cells of the same budget, with at least one restart before the end",
        evaluate: { warmRestartFindings($0, budgetedCosine: false) })

    /// Paper App. B.2: a restart ends where a cosine run of that length would, so nothing is lost.
    static let warmRestartsMatchBudgets = Claim(
        id: "warm-restarts-match-budgets",
        statement: "At each restart, AdamWR is within half a point of a cosine run whose budget ends there",
        source: "paper §5, App. B.2",
        statistic: "test error of the best warm-restarts cell at each period end minus that of the best cosine cell with that many epochs (each chosen on the selection split), mean over period ends after the first (where the two are one schedule), paired over seeds; seed bootstrap",
        rule: .below(0.005),
        needs: "warm-restarts cells and cosine cells whose epochs equal the restarts' period ends",
        evaluate: { warmRestartFindings($0, budgetedCosine: true) })

    /// The period ends (in epochs) of a warm-restarts schedule within `epochs`.
    static func periodEnds(t0: Double, tMult: Double, epochs: Int) -> [Int] {
        var ends: [Int] = []
        var end = t0, period = t0
        while end <= Double(epochs) + 1e-9, period > 0 {
            if abs(end - end.rounded()) < 1e-9 { ends.append(Int(end.rounded())) }
            period *= tMult
            end += period
        }
        return ends
    }

    static func warmRestartFindings(_ evidence: ClaimEvidence, budgetedCosine: Bool) -> [Finding] {
        let relevant = evidence.cells.filter { [.warmRestarts, .cosine].contains($0.configuration.schedule.kind) }
        var findings: [Finding] = []
        for (context, label) in ContextFields([.lambda, .learningRate, .schedule, .epochs]).labelledContexts(of: relevant) {
            let restarts = context.cells.filter { $0.configuration.schedule.kind == .warmRestarts }
            let cosine = context.cells.filter { $0.configuration.schedule.kind == .cosine }
            // One finding per warm-restarts setting (t0, t_mult, budget).
            let settings = Dictionary(grouping: restarts) { "\($0.configuration.schedule.t0),\($0.configuration.schedule.tMult),\($0.configuration.training.epochs)" }
            for key in settings.keys.sorted() {
                let group = settings[key]!, first = group[0].configuration
                let budget = first.training.epochs
                var ends = periodEnds(t0: first.schedule.t0, tMult: first.schedule.tMult, epochs: budget)
                var comparisons: [(end: Int, cells: [Cell], epochOfOther: Int?)] = []
                if budgetedCosine {
                    if !ends.contains(budget) { ends.append(budget) }
                    // The first period of warm restarts is a cosine run of t0 epochs: compared
                    // there, the two are one schedule, and a difference of exactly 0 would be
                    // averaged in as evidence that they match.
                    if ends.count > 1 { ends.removeFirst() }
                    for end in ends {
                        let others = cosine.filter { $0.configuration.training.epochs == end }
                        if !others.isEmpty { comparisons.append((end, others, nil)) }
                    }
                } else {
                    let full = cosine.filter { $0.configuration.training.epochs == budget }
                    if !full.isEmpty { comparisons = ends.filter { $0 < budget }.map { ($0, full, $0) } }
                }
                // A best cell means something only where a search chose it (ClaimMeasures.bestAgainstBest).
                comparisons.removeAll { Set($0.cells.map(\.learningRate)).count < 2 }
                guard Set(group.map(\.learningRate)).count >= 2, !comparisons.isEmpty else { continue }
                let statistic: ([UInt64]) -> Double? = { sample in
                    var differences: [Double] = []
                    for comparison in comparisons {
                        guard let wr = CellSelection.best(group, on: sample, epoch: comparison.end),
                              let other = CellSelection.best(comparison.cells, on: sample, epoch: comparison.epochOfOther) else { return nil }
                        let difference = sample.compactMap { seed -> Double? in
                            guard let a = wr.runs[seed].flatMap({ CellSelection.epoch(of: $0, number: comparison.end) })?.testError,
                                  let b = other.runs[seed].flatMap({ CellSelection.epoch(of: $0, number: comparison.epochOfOther) })?.testError else { return nil }
                            return budgetedCosine ? a - b : b - a
                        }
                        guard let mean = Statistics.mean(difference) else { return nil }
                        differences.append(mean)
                    }
                    return Statistics.mean(differences)
                }
                let (value, interval) = SeedBootstrap(seeds: evidence.seeds).estimate(statistic)
                let scope = ClaimMeasures.scope("t0=\(ClaimMeasures.format(first.schedule.t0)) t_mult=\(ClaimMeasures.format(first.schedule.tMult)) T=\(budget)", label)
                findings.append(Finding(scope: scope, value: value, interval: interval, seeds: evidence.seeds.count,
                                        notes: ["compared at epochs " + comparisons.map { String($0.end) }.joined(separator: ", ")]))
            }
        }
        return findings
    }
}
