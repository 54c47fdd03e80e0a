import Foundation
import Results
import Optimization
import Training

extension Claim {
    /// Seeds 000–002: λ → ∞ drives w* → 0, the weight norm falling as λ grows.
    static let weightNormFalls = Claim(
        id: "weight-norm-falls",
        statement: "The final weight norm falls monotonically as λ grows",
        source: "seeds 000, 001, 002",
        statistic: "Spearman rank correlation of λ with the mean final weight norm, at the best cell's lr (chosen on the selection split); seed bootstrap",
        rule: .below(-0.9),
        needs: "a family (optimizer × penalty) with ≥ 4 values of λ at one lr",
        evaluate: { lambdaSweepFindings($0) { cells, sample in
            let points = cells.compactMap { cell in cell.mean(on: sample) { CellSelection.epoch(of: $0)?.weightNorm }.map { (cell.lambda, $0) } }
            return Statistics.spearman(points.map(\.0), points.map(\.1))
        } })

    /// Seeds 000–002: too large a λ underfits.
    static let largeLambdaUnderfits = Claim(
        id: "large-lambda-underfits",
        statement: "Too large a λ underfits: the largest λ tried raises the training error by more than a point over λ = 0",
        source: "seeds 000, 001, 002",
        statistic: "final training error at the largest λ minus that at λ = 0, at the best cell's lr, paired over seeds; seed bootstrap",
        rule: .above(0.01),
        needs: "a family with λ = 0 and ≥ 3 values of λ > 0 at one lr",
        evaluate: { lambdaSweepFindings($0) { cells, sample in
            guard let zero = cells.first(where: { $0.lambda == 0 }), let largest = cells.max(by: { $0.lambda < $1.lambda }), largest.lambda > 0 else { return nil }
            return ClaimMeasures.pairedDifference(largest, zero, on: sample) { CellSelection.epoch(of: $0)?.trainError }
        } })

    /// One finding per family and context with a λ sweep: `statistic` on the cells at the lr
    /// of the family's best cell.
    static func lambdaSweepFindings(_ evidence: ClaimEvidence, statistic: @escaping ([Cell], [UInt64]) -> Double?) -> [Finding] {
        let sweeping = evidence.cells.filter { [.l2, .l1, .decoupled].contains($0.configuration.regularization.penalty) || $0.lambda == 0 }
        // λ = 0 computes the same under every penalty, so a family without its own borrows another's.
        let sameButPenalty = ContextFields([.lambda, .learningRate, .penalty])
        let zeros = evidence.cells.filter { $0.lambda == 0 && $0.divergedSeeds == 0 }
        var findings: [Finding] = []
        for (context, label) in ContextFields([.lambda, .learningRate]).labelledContexts(of: sweeping) {
            guard let best = CellSelection.best(context.cells, on: evidence.seeds) else { continue }
            var atRate = context.cells.filter { $0.learningRate == best.learningRate && $0.divergedSeeds == 0 }
            var notes: [String] = []
            if !atRate.contains(where: { $0.lambda == 0 }), let zero = zeros.first(where: {
                $0.learningRate == best.learningRate && sameButPenalty.key(of: $0.configuration) == sameButPenalty.key(of: best.configuration)
            }) {
                atRate.append(zero)
                notes.append("λ = 0 from the \(zero.configuration.regularization.penalty.rawValue) runs (the same computation)")
            }
            atRate.sort { $0.lambda < $1.lambda }
            guard atRate.count >= 4, atRate.contains(where: { $0.lambda == 0 }) else { continue }
            let (value, interval) = SeedBootstrap(seeds: evidence.seeds).estimate { statistic(atRate, $0) }
            notes.insert("lr \(ClaimMeasures.format(best.learningRate)), λ " + atRate.map { ClaimMeasures.format($0.lambda) }.joined(separator: ", "), at: 0)
            let diverged = context.cells.filter { $0.learningRate == best.learningRate }.filter { $0.divergedSeeds > 0 }.count
            if diverged > 0 { notes.append("\(diverged) cells with diverged runs left out") }
            findings.append(Finding(scope: ClaimMeasures.scope(Family(of: best.configuration).description, label),
                                    value: value, interval: interval, seeds: evidence.seeds.count, notes: notes))
        }
        return findings
    }

    /// Below this magnitude a weight counts as zero for the sparsity claim.
    static let sparsityThreshold: Float = 1e-3

    /// Seed 000: L1 gives sparse weights, L2 does not.
    static let l1Sparsity = Claim(
        id: "l1-sparsity",
        statement: "An L1 penalty leaves many weights at or near zero where L2 does not (best cells of each, so at similar validation error)",
        source: "seed 000",
        statistic: "share of weights of magnitude below 1e-3 in the best L1 cell minus that in the best L2 cell (same optimizer, chosen on the selection split), paired over seeds; seed bootstrap",
        rule: .above(0.1),
        needs: "l1 and l2 cells with λ > 0 for the same optimizer, store: {params: final}",
        evaluate: { evidence in
            let share: (RunRecord) -> Double? = { record in
                guard record.status == .finished else { return nil }
                let weights = record.parameters.filter { $0.name.hasSuffix("weight") }.flatMap(\.values)
                guard !weights.isEmpty else { return nil }
                return Double(weights.filter { abs($0) < sparsityThreshold }.count) / Double(weights.count)
            }
            let cells = evidence.cells.filter { $0.lambda > 0 && $0.runs.values.contains { !$0.parameters.isEmpty } }
            return ContextFields([.lambda, .learningRate, .penalty]).labelledContexts(of: cells).compactMap { context, label in
                let l1 = context.cells.filter { $0.configuration.regularization.penalty == .l1 }
                let l2 = context.cells.filter { $0.configuration.regularization.penalty == .l2 }
                guard !l1.isEmpty, !l2.isEmpty else { return nil }
                let (value, interval) = SeedBootstrap(seeds: evidence.seeds).estimate { sample in
                    guard let a = CellSelection.best(l1, on: sample), let b = CellSelection.best(l2, on: sample) else { return nil }
                    return ClaimMeasures.pairedDifference(a, b, on: sample, share)
                }
                var notes: [String] = []
                if let a = CellSelection.best(l1, on: evidence.seeds), let b = CellSelection.best(l2, on: evidence.seeds) {
                    let selection: (RunRecord) -> Double? = { CellSelection.selectionError(of: $0) }
                    notes.append("L1 \(ClaimMeasures.describe(a)): share \(ClaimMeasures.format(a.mean(on: evidence.seeds, share))), selection error \(ClaimMeasures.format(a.mean(on: evidence.seeds, selection)))")
                    notes.append("L2 \(ClaimMeasures.describe(b)): share \(ClaimMeasures.format(b.mean(on: evidence.seeds, share))), selection error \(ClaimMeasures.format(b.mean(on: evidence.seeds, selection)))")
                }
                return Finding(scope: ClaimMeasures.scope(l1[0].configuration.optimizer.kind.rawValue, label), value: value, interval: interval,
                               seeds: evidence.seeds.count, notes: notes)
            }
        })

    /// Seed 001: the constraint ‖w‖² ≤ θ reaches the ridge (L2) solution of matching λ.
    static let normBallIsRidge = Claim(
        id: "norm-ball-ridge",
        statement: "The hard constraint ‖w‖² ≤ θ reaches the same solution as an L2 penalty of the matching λ",
        source: "seed 001",
        statistic: "‖θ_ball − θ_ridge‖ / ‖θ_ridge‖, θ_ridge interpolated along the L2 runs' path at ‖w‖² = θ; worst radius per seed, mean over seeds (t interval)",
        rule: .below(0.05),
        needs: "norm-ball and l2 runs (≥ 2 values of λ) of the same model and data, store: {params: final}",
        evaluate: { evidence in
            let runs = evidence.records.filter { $0.status == .finished && !$0.parameters.isEmpty }
            let contexts = Dictionary(grouping: runs.filter { [.l2, .normBall].contains($0.run.configuration.regularization.penalty) }) {
                ContextFields([.lambda, .penalty]).key(of: $0.run.configuration)
            }
            let keys = contexts.keys.sorted()
            let labels = ClaimMeasures.labels(forContextKeys: keys)
            return zip(keys, labels).compactMap { key, label in
                var perSeed: [Double] = []
                var beyondPath = 0
                let group = contexts[key]!
                for seed in Set(group.map(\.run.configuration.training.seed)).sorted() {
                    let own = group.filter { $0.run.configuration.training.seed == seed }
                    let path = own.filter { $0.run.configuration.regularization.penalty == .l2 }
                        .map { (squaredNorm: squaredWeightNorm($0.parameters), parameters: $0.parameters) }.sorted { $0.squaredNorm < $1.squaredNorm }
                    guard path.count >= 2 else { continue }
                    var distances: [Double] = []
                    for ball in own where ball.run.configuration.regularization.penalty == .normBall {
                        let radius = ball.run.configuration.regularization.lambda
                        guard let upper = path.firstIndex(where: { $0.squaredNorm >= radius }), upper > 0 else { beyondPath += 1; continue }
                        let a = path[upper - 1], b = path[upper]
                        let t = (radius - a.squaredNorm) / (b.squaredNorm - a.squaredNorm)
                        if let distance = interpolatedDistance(ball.parameters, a.parameters, b.parameters, t) { distances.append(distance) }
                    }
                    if let worst = distances.max() { perSeed.append(worst) }
                }
                guard !perSeed.isEmpty else { return nil }
                var notes = ["per seed: " + perSeed.map { String(format: "%.3g", $0) }.joined(separator: ", ")]
                if beyondPath > 0 { notes.append("\(beyondPath) norm-ball runs outside the L2 path's range of ‖w‖² left out") }
                return Finding(scope: label, value: Statistics.mean(perSeed), interval: Statistics.tInterval(perSeed), seeds: perSeed.count, notes: notes)
            }
        })

    static func squaredWeightNorm(_ tensors: [RunRecord.NamedTensor]) -> Double {
        tensors.filter { $0.name.hasSuffix("weight") }.flatMap(\.values).map { Double($0) * Double($0) }.reduce(0, +)
    }

    /// ‖x − (a + t·(b − a))‖ / ‖a + t·(b − a)‖ over every tensor; nil when they do not line up.
    static func interpolatedDistance(_ x: [RunRecord.NamedTensor], _ a: [RunRecord.NamedTensor], _ b: [RunRecord.NamedTensor], _ t: Double) -> Double? {
        guard x.count == a.count, a.count == b.count,
              zip(x, a).allSatisfy({ $0.name == $1.name && $0.values.count == $1.values.count }),
              zip(a, b).allSatisfy({ $0.name == $1.name && $0.values.count == $1.values.count }) else { return nil }
        var difference = 0.0, norm = 0.0
        for ((tx, ta), tb) in zip(zip(x, a), b) {
            for ((u, p), q) in zip(zip(tx.values, ta.values), tb.values) {
                let target = Double(p) + t * (Double(q) - Double(p))
                difference += (Double(u) - target) * (Double(u) - target)
                norm += target * target
            }
        }
        return norm > 0 ? (difference / norm).squareRoot() : nil
    }

    /// Seed 002: decaying the learning rate lowers a loss that has stopped falling.
    static let learningRateDecayLowersPlateau = Claim(
        id: "lr-decay-plateau",
        statement: "Decaying the learning rate lowers a training loss that has plateaued at a fixed learning rate",
        source: "seed 002",
        statistic: "(final training loss at a fixed lr − that with step or exponential decay) / the fixed-lr loss, same λ, lr and seed, mean over cells, paired over seeds; seed bootstrap",
        rule: .above(0.1),
        needs: "cells with schedule constant and step or exponential at the same λ and lr",
        evaluate: { evidence in
            let cells = evidence.cells.filter { [.constant, .step, .exponential].contains($0.configuration.schedule.kind) }
            let contexts = ContextFields([.schedule]).contexts(of: cells)
            let pairs = contexts.flatMap { context -> [(Cell, Cell)] in
                guard let constant = context.cells.first(where: { $0.configuration.schedule.kind == .constant }) else { return [] }
                return context.cells.filter { $0.configuration.schedule.kind != .constant }.map { (constant, $0) }
            }
            guard !pairs.isEmpty else { return [] }
            let loss: (RunRecord) -> Double? = { CellSelection.epoch(of: $0)?.trainLoss }
            let (value, interval) = SeedBootstrap(seeds: evidence.seeds).estimate { sample in
                Statistics.mean(pairs.compactMap { constant, decayed -> Double? in
                    guard let difference = ClaimMeasures.pairedDifference(constant, decayed, on: sample, loss),
                          let base = constant.mean(on: sample, loss), base > 0 else { return nil }
                    return difference / base
                })
            }
            // How flat the fixed-lr loss is over its last quarter: the plateau the claim presumes.
            let flatness = pairs.map(\.0).compactMap { cell in
                cell.mean(on: evidence.seeds) { record -> Double? in
                    guard CellSelection.epoch(of: record) != nil, record.epochs.count >= 4 else { return nil }
                    let last = record.epochs.last!.trainLoss, earlier = record.epochs[record.epochs.count * 3 / 4 - 1].trainLoss
                    return earlier > 0 ? (earlier - last) / earlier : nil
                }
            }
            return [Finding(scope: "", value: value, interval: interval, seeds: evidence.seeds.count, notes: [
                "\(pairs.count) fixed-lr/decayed pairs",
                "fixed-lr training loss fell by \(ClaimMeasures.format(Statistics.mean(flatness).map { 100 * $0 }))% over its last quarter of epochs",
            ])]
        })
}
