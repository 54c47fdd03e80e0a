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
        separabilityCoupled(Family(.sgdMomentum, .decoupled, .torch), name: "sgdw-torch", source: "paper §4.1 and README, Update rules and conventions: PyTorch's decay per step is α·η_t·λ"),
        separabilityCoupled(Family(.adam, .decoupled, .torch), name: "adamw-torch", source: "paper §4.1 and README, Update rules and conventions: PyTorch's decay per step is α·η_t·λ"),
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
    /// The claims each file's grid declares, in the order of `files` (empty: none declared).
    public let declaredClaims: [[String]]
    /// Whether every file was read for every claim, declarations aside.
    public let everyFile: Bool

    /// Evaluates every claim of `claims` on every file that speaks to it: the claims its grid
    /// declares, or all of them when it declares none or `everyFile` is set. A file that
    /// declares a claim its finished runs do not span gets a "not run" row saying so; a claim
    /// no file speaks to is listed once as "not run".
    public init(evidence: [ClaimEvidence], claims: [Claim] = Claim.catalog, everyFile: Bool = false) {
        files = evidence.map(\.name)
        declaredClaims = evidence.map(\.declaredClaims)
        self.everyFile = everyFile
        var results: [ClaimResult] = []
        for claim in claims {
            var found = false
            for file in evidence where everyFile || file.speaks(to: claim) {
                let findings = claim.evaluate(file)
                for finding in findings {
                    found = true
                    results.append(ClaimResult(claim: claim, file: file.name, finding: finding,
                                               verdict: claim.rule.verdict(for: finding.interval),
                                               selectedOnTestSplit: file.selectsOnTestSplit))
                }
                if findings.isEmpty && file.declaredClaims.contains(claim.id) {
                    found = true
                    results.append(ClaimResult(claim: claim, file: file.name, finding: nil, verdict: .notRun, selectedOnTestSplit: false,
                                               reasonNotRun: "its grid declares this claim, but its finished runs do not span what it needs"))
                }
            }
            if !found {
                results.append(ClaimResult(claim: claim, file: nil, finding: nil, verdict: .notRun, selectedOnTestSplit: false,
                                           reasonNotRun: "no file given has these runs"))
            }
        }
        self.results = results
    }

    /// Reads every run of each file (named by its file name without the directory) and the
    /// claims its grid declares.
    public static func read(paths: [String], claims: [Claim] = Claim.catalog, everyFile: Bool = false) throws -> ClaimsTable {
        let known = Set(Claim.catalog.map(\.id))
        let evidence = try paths.map { path in
            let declared = try ResultsFile.declaredClaims(at: path)
            // `plan` refuses an unknown id, so one stored means an edited file or a newer
            // decaybench; read for it, the file would show "not run" rows and say nothing.
            let unknown = declared.filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw ResultsFileError("\(path) declares claims this decaybench does not know: \(unknown.joined(separator: ", ")) "
                                       + "(the file was edited, or written by a newer decaybench)")
            }
            return ClaimEvidence(name: URL(fileURLWithPath: path).lastPathComponent, records: try ResultsFile.readAll(at: path),
                                 declaredClaims: declared)
        }
        return ClaimsTable(evidence: evidence, claims: claims, everyFile: everyFile)
    }

    /// How many results have each verdict.
    public var counts: [Verdict: Int] {
        Dictionary(grouping: results, by: \.verdict).mapValues(\.count)
    }
}
