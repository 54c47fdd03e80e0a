import Foundation
import Results
import Optimization
import Training

extension Claim {
    /// Paper §2 (Prop. 1): for plain SGD an L2 penalty λ' is decoupled decay λ = α·λ' (paper
    /// convention) or λ = λ' (PyTorch's).
    static let equivalenceSGD = Claim(
        id: "equivalence-sgd",
        statement: "For plain SGD, L2 with λ' and decoupled decay with λ = α·λ' (paper convention; λ = λ' in PyTorch's) give the same weights",
        source: "paper §2, Proposition 1",
        statistic: "‖θ_L2 − θ_decoupled‖∞ / ‖θ_L2‖∞ over all final tensors, worst pair per seed, mean over seeds (t interval)",
        rule: .below(1e-3),
        needs: "sgd runs with penalty l2 (λ' > 0) and decoupled at the matching λ, same seeds, store: {params: final}",
        evaluate: { equivalenceFindings($0, optimizers: [.sgd]) })

    /// Paper §2–3: with momentum, and for Adam, no rescaling of λ makes L2 and decay agree.
    static let equivalenceAdaptive = Claim(
        id: "equivalence-adam-momentum",
        statement: "For Adam (and SGD with momentum) L2 and decoupled decay at the λ that matches them for SGD give different weights",
        source: "paper §2–3, Proposition 2; seed 004",
        statistic: "‖θ_L2 − θ_decoupled‖∞ / ‖θ_L2‖∞ over all final tensors, most different pair per seed, mean over seeds (t interval)",
        rule: .above(1e-2),
        needs: "adam, amsgrad, sgd-momentum or sgd-nesterov runs with penalty l2 (λ' > 0) and decoupled at the matching λ, store: {params: final}",
        evaluate: { equivalenceFindings($0, optimizers: [.adam, .amsgrad, .sgdMomentum, .sgdNesterov]) })

    /// Pairs each decoupled run with the L2 run its λ maps to (same seed and everything else),
    /// one finding per optimizer, from the most different pair of each seed: the worst case for
    /// equivalence, and for a difference the pair whose λ is large enough to matter (at a tiny
    /// λ both are plain SGD or Adam and agree for that reason alone).
    static func equivalenceFindings(_ evidence: ClaimEvidence, optimizers: [OptimizerSpec.Kind]) -> [Finding] {
        let withTensors = evidence.records.filter { $0.status == .finished && !$0.parameters.isEmpty }
        var findings: [Finding] = []
        for optimizer in optimizers {
            let runs = withTensors.filter { $0.run.configuration.optimizer.kind == optimizer }
            let l2 = Dictionary(grouping: runs.filter { $0.run.configuration.regularization.penalty == .l2 && $0.run.configuration.regularization.lambda > 0 }) {
                ContextFields([.lambda, .penalty]).key(of: $0.run.configuration) + "#\($0.run.configuration.training.seed)"
            }
            var differences: [UInt64: [Double]] = [:]
            for decoupled in runs where decoupled.run.configuration.regularization.penalty == .decoupled && !decoupled.run.configuration.regularization.normalized {
                let configuration = decoupled.run.configuration
                let matching = configuration.regularization.decayConvention == .paper
                    ? configuration.regularization.lambda / configuration.optimizer.learningRate : configuration.regularization.lambda
                let key = ContextFields([.lambda, .penalty]).key(of: configuration) + "#\(configuration.training.seed)"
                for partner in l2[key] ?? [] where abs(partner.run.configuration.regularization.lambda - matching) <= 1e-6 * matching {
                    if let difference = relativeDifference(partner.parameters, decoupled.parameters) {
                        differences[configuration.training.seed, default: []].append(difference)
                    }
                }
            }
            guard !differences.isEmpty else { continue }
            let perSeed = differences.keys.sorted().map { differences[$0]!.max()! }
            let pairs = differences.values.map(\.count).reduce(0, +)
            findings.append(Finding(
                scope: optimizer.rawValue, value: Statistics.mean(perSeed), interval: Statistics.tInterval(perSeed), seeds: perSeed.count,
                notes: ["\(pairs) matched pairs; per seed: " + perSeed.map { String(format: "%.3g", $0) }.joined(separator: ", ")]))
        }
        return findings
    }

    /// ‖a − b‖∞ / ‖a‖∞ over all tensors; nil when the tensors do not line up.
    static func relativeDifference(_ a: [RunRecord.NamedTensor], _ b: [RunRecord.NamedTensor]) -> Double? {
        guard a.count == b.count, zip(a, b).allSatisfy({ $0.name == $1.name && $0.values.count == $1.values.count }) else { return nil }
        var largest: Float = 0, difference: Float = 0
        for (x, y) in zip(a, b) {
            for (u, v) in zip(x.values, y.values) {
                largest = max(largest, abs(u))
                difference = max(difference, abs(u - v))
            }
        }
        return largest > 0 ? Double(difference / largest) : nil
    }
}
