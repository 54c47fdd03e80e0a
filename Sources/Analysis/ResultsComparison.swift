import Foundation
import Planning
import Results

/// Tonight's results against a baseline: per cell, how far each metric moved compared with
/// the spread over seeds, and which moves are regressions.
///
/// Runs are matched by key; runs whose keys changed between versions (a new setting with a
/// default, say) are matched by their grid coordinates instead, and the report says so.
/// A cell is a run's coordinates without the seed. Every metric is an error or a loss, so a
/// rise is a regression when it exceeds a threshold: `seedDeviations` times the baseline's
/// spread over seeds, or `absolute`. A run that finished in the baseline and diverged, failed
/// or ended with a non-finite metric now is a regression whatever the thresholds. Runs with a
/// result in only one file are listed, and a run of the baseline without a result now fails
/// the comparison: a night that lost runs has not shown that it is as good.
public struct ResultsComparison: Sendable {
    /// When a rise counts as a regression; a rise beyond either threshold given is one.
    public struct Thresholds: Sendable, Equatable {
        /// In the baseline's standard deviations over seeds; cells whose baseline has one seed,
        /// or seeds that agree exactly, have none.
        public var seedDeviations: Double?
        /// In the metric's own units.
        public var absolute: Double?

        public init(seedDeviations: Double?, absolute: Double?) {
            self.seedDeviations = seedDeviations
            self.absolute = absolute
        }
    }

    /// The metrics compared: final and selected (the test error at the best epoch, chosen on
    /// validation error, or on test error when the data has no validation split).
    public static let metrics: [(name: String, value: @Sendable (RunRecord) -> Double?)] = [
        ("final_test_error", { $0.final?.testError }),
        ("final_test_loss", { $0.final?.testLoss }),
        ("selected_test_error", { $0.best?.testError }),
    ]

    /// One metric of one cell in both files.
    public struct CellChange: Sendable, Equatable {
        public var cell: String
        public var metric: String
        public var baselineMean: Double
        public var newMean: Double
        public var baselineSeeds: Int
        public var newSeeds: Int
        /// The baseline's sample standard deviation over seeds, nil with one baseline seed.
        /// Tonight's spread is not used: a regression in some seeds would widen its own yardstick.
        public var seedDeviation: Double?
        public var isRegression: Bool

        public var change: Double { newMean - baselineMean }
        /// The change in seed standard deviations, when there is a spread.
        public var changeInDeviations: Double? {
            guard let seedDeviation, seedDeviation > 0 else { return nil }
            return change / seedDeviation
        }
    }

    /// A run present with a result in only one file.
    public struct UnmatchedRun: Sendable, Equatable {
        public var key: String
        public var cell: String
        public var seed: String
    }

    /// A run that finished in the baseline and no longer does.
    public struct StatusChange: Sendable, Equatable {
        public var key: String
        public var cell: String
        public var seed: String
        public var baseline: String
        public var new: String
    }

    public var thresholds: Thresholds
    public var matchedByKey: Int
    /// (baseline key, new key) of runs matched by their grid coordinates because their keys changed.
    public var matchedByCoordinates: [(baseline: String, new: String)]
    public var changes: [CellChange]
    public var statusChanges: [StatusChange]
    public var onlyInBaseline: [UnmatchedRun]
    public var onlyInNew: [UnmatchedRun]
    /// The grid settings that differ between the two files, one line each ("training.epochs: 60
    /// in the baseline, 100 in the new file"); empty when they hold the same grid or a file
    /// holds none. Set by the caller, which reads the files' grids.
    public var gridDifferences: [String] = []

    /// Finished runs of the baseline with a non-finite metric (a damaged file, or one written
    /// before such runs counted as diverged): left out of their cells.
    public var nonFiniteInBaseline = 0

    public var regressions: [CellChange] { changes.filter(\.isRegression) }
    public var hasRegression: Bool { !regressions.isEmpty || !statusChanges.isEmpty }
    /// No run of one file matches a run of the other: "no regression" would say nothing.
    public var comparedNothing: Bool { matchedByKey == 0 && matchedByCoordinates.isEmpty }
    /// Whether the new file falls short of the baseline: a regression, a run of the baseline
    /// with no result now (pending, or not in the file), or nothing compared.
    public var fails: Bool { hasRegression || comparedNothing || !onlyInBaseline.isEmpty }
    /// Cell metrics no threshold can flag: without an absolute threshold, a cell whose
    /// baseline has one seed, or seeds that agree exactly, has no spread to measure a rise by.
    public var unflaggable: [CellChange] { thresholds.absolute == nil ? changes.filter { $0.changeInDeviations == nil } : [] }

    public init(baseline: [RunRecord], new: [RunRecord], thresholds: Thresholds) {
        self.thresholds = thresholds
        let base = baseline.filter { $0.status != .pending }, now = new.filter { $0.status != .pending }
        let pairs = RunMatching(baseline: base, new: now)
        matchedByKey = pairs.byKey
        matchedByCoordinates = pairs.byCoordinates
        onlyInBaseline = pairs.onlyInBaseline.map { UnmatchedRun(key: $0.run.key, cell: Self.cell(of: $0), seed: Self.seed(of: $0)) }
        onlyInNew = pairs.onlyInNew.map { UnmatchedRun(key: $0.run.key, cell: Self.cell(of: $0), seed: Self.seed(of: $0)) }

        statusChanges = pairs.pairs.compactMap { pair in
            guard pair.baseline.status == .finished else { return nil }
            let newStatus: String
            if pair.new.status != .finished {
                newStatus = pair.new.status.rawValue
            } else if let metric = Self.metrics.first(where: { metric in
                // The trainer ends a run with a non-finite loss or error as diverged: a finished
                // one holding such a value is damaged, and its cell would silently lose a seed.
                metric.value(pair.baseline).map(\.isFinite) == true && metric.value(pair.new).map(\.isFinite) == false
            }) {
                newStatus = "finished with a non-finite \(metric.name)"
            } else {
                return nil
            }
            return StatusChange(key: pair.new.run.key, cell: Self.cell(of: pair.baseline), seed: Self.seed(of: pair.baseline),
                                baseline: pair.baseline.status.rawValue, new: newStatus)
        }
        nonFiniteInBaseline = base.filter { record in
            record.status == .finished && Self.metrics.contains { $0.value(record).map(\.isFinite) == false }
        }.count

        var cellOrder: [String] = []
        var members: [String: [(baseline: RunRecord, new: RunRecord)]] = [:]
        for pair in pairs.pairs {
            let cell = Self.cell(of: pair.baseline)
            if members[cell] == nil { cellOrder.append(cell) }
            members[cell, default: []].append(pair)
        }
        var changes: [CellChange] = []
        for cell in cellOrder {
            let cellPairs = members[cell]!
            for metric in Self.metrics {
                let before = cellPairs.filter { $0.baseline.status == .finished }.compactMap { metric.value($0.baseline) }.filter(\.isFinite)
                let after = cellPairs.filter { $0.new.status == .finished }.compactMap { metric.value($0.new) }.filter(\.isFinite)
                guard let baselineMean = Statistics.mean(before), let newMean = Statistics.mean(after) else { continue }
                var change = CellChange(cell: cell, metric: metric.name, baselineMean: baselineMean, newMean: newMean,
                                        baselineSeeds: before.count, newSeeds: after.count,
                                        seedDeviation: Statistics.standardDeviation(before), isRegression: false)
                change.isRegression = thresholds.flags(change)
                changes.append(change)
            }
        }
        self.changes = changes
    }

    /// A run's cell: its grid coordinates without the seed.
    static func cell(of record: RunRecord) -> String {
        let labels = record.run.coordinates.filter { $0.axis != "seed" }.map { "\($0.axis)=\($0.label)" }
        return labels.isEmpty ? record.run.key : labels.joined(separator: " ")
    }

    static func seed(of record: RunRecord) -> String {
        record.run.label(on: "seed") ?? String(record.run.configuration.training.seed)
    }
}

extension ResultsComparison.Thresholds {
    /// Whether a change exceeds a threshold in the worse direction (up: every metric is an error or a loss).
    ///
    /// Curves are stored as float32, so a change of exactly the absolute threshold (one point
    /// of error: 0.20 → 0.21) reads back a few float32 steps above or below it; a change within
    /// that rounding of the threshold is not beyond it.
    func flags(_ change: ResultsComparison.CellChange) -> Bool {
        guard change.change > 0 else { return false }
        let rounding = 4 * Double(Float.ulpOfOne) * max(abs(change.baselineMean), abs(change.newMean))
        if let absolute, change.change > absolute + rounding { return true }
        if let seedDeviations, let inDeviations = change.changeInDeviations, inDeviations > seedDeviations { return true }
        return false
    }
}
