import Foundation
import Results

extension Claim {
    /// Every claim DecayBench tests, in the order the tables list them (README §Claims).
    public static let catalog: [Claim] = [
        equivalenceSGD,
        equivalenceAdaptive,
        separabilityDecoupled(.sgdMomentum, name: "sgdw"),
        separabilityDecoupled(.adam, name: "adamw"),
        separabilityCoupled(Family(.sgdMomentum, .l2), name: "sgd-l2", source: "paper §4.1, Fig. 2"),
        separabilityCoupled(Family(.adam, .l2), name: "adam-l2", source: "paper §4.1, Fig. 2"),
        separabilityCoupled(Family(.sgdMomentum, .decoupled, .torch), name: "sgdw-torch", source: "paper §4.1 and ../shared REFERENCE §3: PyTorch's decay per step is α·η_t·λ"),
        separabilityCoupled(Family(.adam, .decoupled, .torch), name: "adamw-torch", source: "paper §4.1 and ../shared REFERENCE §3: PyTorch's decay per step is α·η_t·λ"),
        separabilityAdditive(.sgdMomentum, name: "sgd"),
        separabilityAdditive(.adam, name: "adam"),
        generalization,
        adamL2GainsLittle,
        scheduleClaim(against: .constant),
        scheduleClaim(against: .step),
        normalizedDecay,
        warmRestartsAnytime,
        warmRestartsMatchBudgets,
        weightNormFalls,
        largeLambdaUnderfits,
        l1Sparsity,
        normBallIsRidge,
        learningRateDecayLowersPlateau,
        biasDecay,
    ]
}

/// Every claim's verdicts over a set of results files.
public struct ClaimsTable: Sendable {
    public let results: [ClaimResult]
    /// The files read, by the names the table uses.
    public let files: [String]

    /// Evaluates every claim of `claims` on every file; a claim no file speaks to is listed
    /// once as "not run".
    public init(evidence: [ClaimEvidence], claims: [Claim] = Claim.catalog) {
        files = evidence.map(\.name)
        var results: [ClaimResult] = []
        for claim in claims {
            var found = false
            for file in evidence {
                for finding in claim.evaluate(file) {
                    found = true
                    results.append(ClaimResult(claim: claim, file: file.name, finding: finding,
                                               verdict: claim.rule.verdict(for: finding.interval),
                                               selectedOnTestSplit: file.selectsOnTestSplit))
                }
            }
            if !found {
                results.append(ClaimResult(claim: claim, file: nil, finding: nil, verdict: .notRun, selectedOnTestSplit: false))
            }
        }
        self.results = results
    }

    /// Reads every run of each file (named by its file name without the directory).
    public static func read(paths: [String], claims: [Claim] = Claim.catalog) throws -> ClaimsTable {
        let evidence = try paths.map { path in
            ClaimEvidence(name: URL(fileURLWithPath: path).lastPathComponent, records: try ResultsFile.readAll(at: path))
        }
        return ClaimsTable(evidence: evidence, claims: claims)
    }

    /// How many results have each verdict.
    public var counts: [Verdict: Int] {
        Dictionary(grouping: results, by: \.verdict).mapValues(\.count)
    }
}
