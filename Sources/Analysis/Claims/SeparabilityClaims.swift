import Foundation
import Results
import Optimization
import Training

extension Claim {
    /// Paper §4.1, Fig. 2: the best λ hardly moves with α where decay is decoupled from α.
    static func separabilityDecoupled(_ optimizer: OptimizerSpec.Kind, name: String) -> Claim {
        Claim(
            id: "separability-\(name)-paper",
            statement: "\(name) (paper convention): the best λ hardly moves when the learning rate α changes",
            source: "paper §4.1, Fig. 2",
            statistic: "least-squares slope of log λ* against log α, λ* the best λ > 0 at each α (chosen on the selection split); seed bootstrap",
            rule: .within(-0.5, 0.5),
            needs: "\(optimizer.rawValue) × decoupled (decay_convention: paper) over ≥ 3 lr × ≥ 3 λ > 0",
            evaluate: { slopeFindings($0, family: Family(optimizer, .decoupled, .paper)) })
    }

    /// Where the decay per step involves α (L2, or decoupled decay in PyTorch's convention) the
    /// best λ moves as 1/α: a diagonal basin.
    static func separabilityCoupled(_ family: Family, name: String, source: String) -> Claim {
        Claim(
            id: "diagonal-\(name)",
            statement: "\(family): the best λ moves as 1/α (diagonal basin)",
            source: source,
            statistic: "least-squares slope of log λ* against log α, λ* the best λ > 0 at each α (chosen on the selection split); seed bootstrap",
            rule: .within(-1.5, -0.5),
            needs: "\(family) over ≥ 3 lr × ≥ 3 λ > 0",
            evaluate: { slopeFindings($0, family: family) })
    }

    /// Paper §4.1, Fig. 2: decoupling makes the error surface over (α, λ) closer to separable.
    static func separabilityAdditive(_ optimizer: OptimizerSpec.Kind, name: String) -> Claim {
        Claim(
            id: "separability-additive-\(name)",
            statement: "\(optimizer.rawValue): an additive model f(α) + g(λ) explains more of the error surface with decoupled decay (paper convention) than with L2",
            source: "paper §4.1, Fig. 2",
            statistic: "share of variance of the mean final selection-split error over α × λ that f(α) + g(λ) explains: decoupled minus L2; seed bootstrap",
            rule: .above(0.02),
            needs: "\(optimizer.rawValue) × l2 and × decoupled (paper) over the same ≥ 2 lr × ≥ 2 λ",
            evaluate: { additiveFindings($0, optimizer: optimizer) })
    }

    static func slopeFindings(_ evidence: ClaimEvidence, family: Family) -> [Finding] {
        let cells = evidence.cells.filter { family.contains($0.configuration) }
        var findings: [Finding] = []
        for (context, label) in ContextFields([.lambda, .learningRate]).labelledContexts(of: cells) {
            let rates = Array(Set(context.cells.map(\.learningRate))).sorted()
            let lambdas = Set(context.cells.map(\.lambda).filter { $0 > 0 })
            guard rates.count >= 3, lambdas.count >= 3 else { continue }
            // λ* is chosen among λ > 0: log λ needs it, and λ = 0 is the baseline, not a decay.
            let byRate = rates.map { rate in context.cells.filter { $0.learningRate == rate && $0.lambda > 0 } }
            func bestLambdas(_ sample: [UInt64]) -> [(rate: Double, lambda: Double)] {
                zip(rates, byRate).compactMap { rate, cells in
                    CellSelection.best(cells, on: sample).map { (rate, $0.lambda) }
                }
            }
            let statistic: ([UInt64]) -> Double? = { sample in
                let points = bestLambdas(sample)
                guard points.count >= 3 else { return nil }
                return Statistics.slope(x: points.map { log($0.rate) }, y: points.map { log($0.lambda) })
            }
            let (value, interval) = SeedBootstrap(seeds: evidence.seeds).estimate(statistic)
            let chosen = bestLambdas(evidence.seeds)
            var notes = ["λ* by lr: " + chosen.map { "\(ClaimMeasures.format($0.rate))→\(ClaimMeasures.format($0.lambda))" }.joined(separator: ", ")]
            if chosen.contains(where: { $0.lambda == lambdas.max() || $0.lambda == lambdas.min() }) { notes.append("some λ* on the grid's edge") }
            let diverged = context.cells.map(\.divergedSeeds).reduce(0, +)
            if diverged > 0 { notes.append("\(diverged) diverged runs counted, not averaged in") }
            findings.append(Finding(scope: ClaimMeasures.scope(label), value: value, interval: interval, seeds: evidence.seeds.count, notes: notes))
        }
        return findings
    }

    static func additiveFindings(_ evidence: ClaimEvidence, optimizer: OptimizerSpec.Kind) -> [Finding] {
        let decoupledFamily = Family(optimizer, .decoupled, .paper), l2Family = Family(optimizer, .l2)
        let cells = evidence.cells.filter { decoupledFamily.contains($0.configuration) || l2Family.contains($0.configuration) }
        var findings: [Finding] = []
        for (context, label) in ContextFields([.lambda, .learningRate, .penalty]).labelledContexts(of: cells) {
            let decoupled = context.cells.filter { decoupledFamily.contains($0.configuration) }
            let l2 = context.cells.filter { l2Family.contains($0.configuration) }
            guard !decoupled.isEmpty, !l2.isEmpty else { continue }
            let statistic: ([UInt64]) -> Double? = { sample in
                guard let a = additiveShare(decoupled, on: sample).share, let b = additiveShare(l2, on: sample).share else { return nil }
                return a - b
            }
            let (value, interval) = SeedBootstrap(seeds: evidence.seeds).estimate(statistic)
            let a = additiveShare(decoupled, on: evidence.seeds), b = additiveShare(l2, on: evidence.seeds)
            guard a.share != nil || b.share != nil else { continue }
            var notes = ["share decoupled \(ClaimMeasures.format(a.share)), L2 \(ClaimMeasures.format(b.share))"]
            if a.droppedRates + b.droppedRates > 0 { notes.append("\(a.droppedRates + b.droppedRates) lr rows with a diverged or missing cell left out") }
            findings.append(Finding(scope: ClaimMeasures.scope(label), value: value, interval: interval, seeds: evidence.seeds.count, notes: notes))
        }
        return findings
    }

    /// The additive model's share over the complete lr rows of a family's α × λ table.
    static func additiveShare(_ cells: [Cell], on sample: [UInt64]) -> (share: Double?, droppedRates: Int) {
        let rates = Array(Set(cells.map(\.learningRate))).sorted(), lambdas = Array(Set(cells.map(\.lambda))).sorted()
        var table: [[Double]] = []
        var dropped = 0
        for rate in rates {
            let row = lambdas.map { lambda -> Double? in
                guard let cell = cells.first(where: { $0.learningRate == rate && $0.lambda == lambda }), cell.divergedSeeds == 0 else { return nil }
                return cell.mean(on: sample) { CellSelection.selectionError(of: $0) }
            }
            if row.allSatisfy({ $0 != nil }) { table.append(row.map { $0! }) } else { dropped += 1 }
        }
        return (Statistics.additiveShare(table), dropped)
    }
}
