import Foundation
import Results
import Optimization
import Training

extension Claim {
    /// Paper §4.2–4.3, Fig. 2–3: AdamW generalizes better than Adam+L2.
    static let generalization = Claim(
        id: "generalization-adamw",
        statement: "AdamW reaches a lower test error than Adam+L2 (the paper reports about 15% relative on CIFAR-10 and ImageNet32x32)",
        source: "paper §4.2–4.3, Fig. 2–3, abstract",
        statistic: "test error of the best Adam+L2 cell minus that of the best AdamW cell (each chosen on the selection split), paired over seeds; seed bootstrap",
        rule: .above(0),
        needs: "adam × l2 and adam × decoupled cells over ≥ 2 lr × ≥ 2 λ each, sharing data, model, schedule and budget",
        evaluate: { evidence in
            comparisonFindings(evidence, contextFields: [.lambda, .learningRate, .penalty]) { cells in
                let l2 = cells.filter { Family(.adam, .l2).contains($0.configuration) }
                let decoupled = cells.filter { Family(.adam, .decoupled).contains($0.configuration) }
                guard Set(l2.map(\.lambda)).count >= 2, Set(decoupled.map(\.lambda)).count >= 2 else { return [] }
                return [(l2, decoupled, "", ("Adam+L2", "AdamW"))]
            }
        })

    /// Paper §4.2: "Adam gains little or nothing from L2": its best λ > 0 hardly beats λ = 0.
    static let adamL2GainsLittle = Claim(
        id: "adam-l2-gains-little",
        statement: "Adam gains little or nothing from an L2 penalty: its best λ > 0 cell is within half a point of its best λ = 0 cell",
        source: "paper §4.2, Fig. 2",
        statistic: "test error of the best Adam cell with λ = 0 minus that of the best Adam+L2 cell with λ > 0 (each chosen on the selection split), paired over seeds; seed bootstrap",
        rule: .below(0.005),
        needs: "adam × l2 cells with λ = 0 and λ > 0, each over ≥ 2 lr",
        evaluate: { evidence in
            comparisonFindings(evidence, contextFields: [.lambda, .learningRate, .penalty]) { cells in
                let l2 = cells.filter { Family(.adam, .l2).contains($0.configuration) }
                return [(l2.filter { $0.lambda == 0 }, l2.filter { $0.lambda > 0 }, "", ("Adam λ=0", "Adam+L2 λ>0"))]
            }
        })

    /// Paper §4.1, Fig. 1: cosine annealing beats a fixed learning rate and step drops.
    static func scheduleClaim(against other: ScheduleSpec.Kind) -> Claim {
        Claim(
            id: "schedules-cosine-vs-\(other.rawValue)",
            statement: "Cosine annealing reaches a lower test error than a \(other == .constant ? "fixed learning rate" : "\(other.rawValue) schedule"), for L2 and for decoupled decay",
            source: "paper §4.1, Fig. 1",
            statistic: "test error of the best \(other.rawValue) cell minus that of the best cosine cell of the same optimizer × penalty (chosen on the selection split), paired over seeds; seed bootstrap",
            rule: .above(0),
            needs: "cells with schedule cosine and \(other.rawValue) for the same optimizer × penalty, each over ≥ 2 lr",
            evaluate: { evidence in
                comparisonFindings(evidence, contextFields: [.lambda, .learningRate, .schedule, .penalty, .optimizer]) { cells in
                    let families = orderedFamilies(cells)
                    return families.map { family in
                        let own = cells.filter { family.contains($0.configuration) }
                        return (own.filter { $0.configuration.schedule.kind == other }, own.filter { $0.configuration.schedule.kind == .cosine },
                                family.description, (other.rawValue, "cosine"))
                    }
                }
            })
    }

    /// Seeds 000–002: biases are usually left out of the penalty; it should matter little.
    static let biasDecay = Claim(
        id: "biases-decay",
        statement: "Penalising or decaying the biases as well as the weights changes the test error by less than half a point",
        source: "seeds 000, 001, 002",
        statistic: "test error of the best cell with biases included minus that with weights only (same optimizer × penalty, each chosen on the selection split), paired over seeds; seed bootstrap",
        rule: .within(-0.005, 0.005),
        needs: "cells with include_biases true and false for the same optimizer × penalty, each over ≥ 2 lr",
        evaluate: { evidence in
            comparisonFindings(evidence, contextFields: [.lambda, .learningRate, .includeBiases, .penalty, .optimizer]) { cells in
                orderedFamilies(cells).filter { $0.penalty != .none }.map { family in
                    let own = cells.filter { family.contains($0.configuration) && $0.lambda > 0 }
                    return (own.filter { $0.configuration.regularization.includeBiases }, own.filter { !$0.configuration.regularization.includeBiases },
                            family.description, ("with biases", "weights only"))
                }
            }
        })

    /// Groups cells into contexts (clearing `contextFields`), and compares best against best
    /// for each pair of groups `split` forms within a context.
    static func comparisonFindings(
        _ evidence: ClaimEvidence, contextFields: ContextFields,
        split: ([Cell]) -> [(first: [Cell], second: [Cell], scope: String, names: (String, String))]
    ) -> [Finding] {
        var findings: [Finding] = []
        for (context, contextLabel) in contextFields.labelledContexts(of: evidence.cells) {
            for group in split(context.cells) {
                if let finding = ClaimMeasures.bestAgainstBest(
                    group.first, group.second, seeds: evidence.seeds, scope: ClaimMeasures.scope(group.scope, contextLabel), names: group.names) {
                    findings.append(finding)
                }
            }
        }
        return findings
    }

    /// The families of `cells` in order of first appearance.
    static func orderedFamilies(_ cells: [Cell]) -> [Family] {
        var seen: [Family] = []
        for cell in cells where !seen.contains(Family(of: cell.configuration)) { seen.append(Family(of: cell.configuration)) }
        return seen
    }
}
