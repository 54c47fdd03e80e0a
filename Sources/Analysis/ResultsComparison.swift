import Foundation
import Planning
import Results

/// Tonight's results against a baseline: per cell, how far each metric moved compared with
/// the spread over seeds, and which moves are regressions.
///
/// Runs are matched by key; runs whose keys changed between versions (a new setting with a
/// default, say) are matched by their grid coordinates instead, and the report says so.
/// A cell is a run's coordinates without the seed. Every metric is an error or a loss, so a
/// rise is a regression when it exceeds a threshold: `seedDeviations` times the spread over
/// seeds, or `absolute`. A run that finished in the baseline and diverged or failed now is a
/// regression whatever the thresholds. Runs with a result in only one file are listed.
public struct ResultsComparison: Sendable {
    /// When a rise counts as a regression; a rise beyond either threshold given is one.
    public struct Thresholds: Sendable, Equatable {
        /// In standard deviations over seeds (pooled over both files); cells with one seed have none.
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
        /// Pooled standard deviation over seeds, nil with one seed on both sides.
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

    public var regressions: [CellChange] { changes.filter(\.isRegression) }
    public var hasRegression: Bool { !regressions.isEmpty || !statusChanges.isEmpty }
    /// No run of one file matches a run of the other: "no regression" would say nothing.
    public var comparedNothing: Bool { matchedByKey == 0 && matchedByCoordinates.isEmpty }
    /// Cell metrics no threshold can flag: one seed on each side gives no spread, and no
    /// absolute threshold is set.
    public var unflaggable: [CellChange] { thresholds.absolute == nil ? changes.filter { $0.seedDeviation == nil } : [] }

    public init(baseline: [RunRecord], new: [RunRecord], thresholds: Thresholds) {
        self.thresholds = thresholds
        let base = baseline.filter { $0.status != .pending }, now = new.filter { $0.status != .pending }
        let pairs = RunMatching(baseline: base, new: now)
        matchedByKey = pairs.byKey
        matchedByCoordinates = pairs.byCoordinates
        onlyInBaseline = pairs.onlyInBaseline.map { UnmatchedRun(key: $0.run.key, cell: Self.cell(of: $0), seed: Self.seed(of: $0)) }
        onlyInNew = pairs.onlyInNew.map { UnmatchedRun(key: $0.run.key, cell: Self.cell(of: $0), seed: Self.seed(of: $0)) }

        let usable: Set<RunRecord.RecordStatus> = [.finished]
        statusChanges = pairs.pairs.filter { usable.contains($0.baseline.status) && !usable.contains($0.new.status) }.map {
            StatusChange(key: $0.new.run.key, cell: Self.cell(of: $0.baseline), seed: Self.seed(of: $0.baseline),
                         baseline: $0.baseline.status.rawValue, new: $0.new.status.rawValue)
        }

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
                guard !before.isEmpty, !after.isEmpty else { continue }
                let deviation = Self.pooledDeviation(before, after)
                var change = CellChange(cell: cell, metric: metric.name, baselineMean: Self.mean(before), newMean: Self.mean(after),
                                        baselineSeeds: before.count, newSeeds: after.count, seedDeviation: deviation, isRegression: false)
                change.isRegression = thresholds.flags(change)
                changes.append(change)
            }
        }
        self.changes = changes
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// The square root of the mean of both sides' sample variances (of the one side with
    /// two seeds or more, if only one has them); nil when neither has two seeds.
    static func pooledDeviation(_ a: [Double], _ b: [Double]) -> Double? {
        func variance(_ values: [Double]) -> Double? {
            guard values.count >= 2 else { return nil }
            let m = mean(values)
            return values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)
        }
        let variances = [variance(a), variance(b)].compactMap { $0 }
        guard !variances.isEmpty else { return nil }
        return (variances.reduce(0, +) / Double(variances.count)).squareRoot()
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
    func flags(_ change: ResultsComparison.CellChange) -> Bool {
        guard change.change > 0 else { return false }
        if let absolute, change.change > absolute { return true }
        if let seedDeviations, let inDeviations = change.changeInDeviations, inDeviations > seedDeviations { return true }
        return false
    }
}
