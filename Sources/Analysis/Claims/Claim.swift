import Foundation
import Results

/// One claim under test: what it says, where it comes from, what is measured, and the rule
/// that decides it, fixed before any data is seen.
public struct Claim: Sendable {
    public var id: String
    public var statement: String
    /// Paper section or figure, or seed file.
    public var source: String
    /// What the number is, in words.
    public var statistic: String
    public var rule: VerdictRule
    /// What runs the claim needs, for the "not run" line.
    public var needs: String
    /// The claim's measurements in one results file: one finding per context the file has
    /// (a budget, a family), none when the file cannot speak to it.
    let evaluate: @Sendable (ClaimEvidence) -> [Finding]
}

/// A measurement of one claim in one context of one file.
public struct Finding: Sendable {
    /// Which part of the file: a family, a budget; empty when the file has one context.
    public var scope: String
    public var value: Double?
    public var interval: Interval?
    /// Seeds the statistic was computed over.
    public var seeds: Int
    /// What a reader needs to weigh it: cells on the grid's edge, diverged runs, the chosen cells.
    public var notes: [String]

    public init(scope: String, value: Double?, interval: Interval?, seeds: Int, notes: [String] = []) {
        self.scope = scope
        self.value = value
        self.interval = interval
        self.seeds = seeds
        self.notes = notes
    }
}

/// The runs of one results file, grouped for the claims.
public struct ClaimEvidence: Sendable {
    /// The file's name as the tables show it.
    public var name: String
    public var records: [RunRecord]
    /// The claims the file's grid declares it tests; empty when it declares none.
    public var declaredClaims: [String]

    public init(name: String, records: [RunRecord], declaredClaims: [String] = []) {
        self.name = name
        self.records = records
        self.declaredClaims = declaredClaims
    }

    /// Whether the table reads this file for `claim`: a grid that declares its claims is
    /// read for those alone, so a grid built for one question does not answer another in
    /// passing; a grid that declares none is read for every claim its runs span.
    func speaks(to claim: Claim) -> Bool {
        declaredClaims.isEmpty || declaredClaims.contains(claim.id)
    }

    var cells: [Cell] { Cell.cells(of: records) }

    /// Every seed any run of the file has, ascending.
    var seeds: [UInt64] { Array(Set(records.map(\.run.configuration.training.seed))).sorted() }

    /// Whether cells are chosen on the test split because the data has no validation split.
    var selectsOnTestSplit: Bool {
        records.contains { CellSelection.split(of: $0.run.configuration) == .test }
    }
}

/// A claim's verdict in one context of one file (or its absence from every file).
public struct ClaimResult: Sendable {
    public var claim: Claim
    /// The file, or nil for a claim no file speaks to.
    public var file: String?
    public var finding: Finding?
    public var verdict: Verdict
    public var selectedOnTestSplit: Bool
    /// Why a claim was not run, for rows without a finding.
    public var reasonNotRun: String?
}
