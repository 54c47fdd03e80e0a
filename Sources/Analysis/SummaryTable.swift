import Foundation
import Planning
import Results
import Training

/// The end-of-grid summary: the best cell for each optimizer × penalty.
///
/// A cell is a configuration without its seed; its score is the mean final test error over
/// its finished seeds, so one lucky seed cannot win. Diverged seeds count against a cell:
/// a cell with any diverged seed is ranked after every cell without one.
public struct SummaryTable: Sendable {
    public struct Row: Sendable, Equatable {
        public var optimizer: String
        public var penalty: String
        public var lambda: String
        public var learningRate: String
        public var schedule: String
        public var meanTestError: Double
        public var standardDeviation: Double
        public var seeds: Int
        public var divergedSeeds: Int
    }

    public let rows: [Row]
    public let finished: Int
    public let diverged: Int
    public let failed: Int
    public let pending: Int

    public init(records: [RunRecord]) {
        finished = records.filter { $0.status == .finished }.count
        diverged = records.filter { $0.status == .diverged }.count
        failed = records.filter { $0.status == .failed }.count
        pending = records.filter { $0.status == .pending }.count

        // Group by everything but the seed.
        var cells: [String: [RunRecord]] = [:]
        var order: [String] = []
        for record in records where record.status == .finished || record.status == .diverged {
            var configuration = record.run.configuration
            configuration.training.seed = 0
            let cell = configuration.canonicalJSON
            if cells[cell] == nil { order.append(cell) }
            cells[cell, default: []].append(record)
        }
        var best: [String: Row] = [:]
        var groups: [String] = []
        for cell in order {
            let members = cells[cell]!
            let errors = members.compactMap { $0.status == .finished ? $0.final?.testError : nil }.filter { $0.isFinite }
            guard !errors.isEmpty else { continue }
            let mean = errors.reduce(0, +) / Double(errors.count)
            let sd = errors.count > 1
                ? (errors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(errors.count - 1)).squareRoot() : 0
            let first = members[0]
            let config = first.run.configuration
            let row = Row(
                optimizer: config.optimizer.kind.rawValue, penalty: config.regularization.penalty.rawValue,
                lambda: first.run.label(on: "lambda") ?? NumberLabel.format(config.regularization.lambda),
                learningRate: first.run.label(on: "lr") ?? NumberLabel.format(config.optimizer.learningRate),
                schedule: first.run.label(on: "schedule") ?? config.schedule.kind.rawValue,
                meanTestError: mean, standardDeviation: sd, seeds: errors.count,
                divergedSeeds: members.filter { $0.status == .diverged }.count)
            let group = row.optimizer + " × " + row.penalty
            if let current = best[group] {
                if (row.divergedSeeds, row.meanTestError) < (current.divergedSeeds, current.meanTestError) { best[group] = row }
            } else {
                best[group] = row
                groups.append(group)
            }
        }
        rows = groups.map { best[$0]! }
    }

    /// The table as aligned text.
    public var text: String {
        var lines: [[String]] = [["optimizer", "penalty", "best test error", "seeds", "lambda", "lr", "schedule"]]
        for row in rows {
            var error = String(format: "%.4f", row.meanTestError)
            if row.seeds > 1 { error += String(format: " ± %.4f", row.standardDeviation) }
            var seeds = "\(row.seeds)"
            if row.divergedSeeds > 0 { seeds += " (+\(row.divergedSeeds) diverged)" }
            lines.append([row.optimizer, row.penalty, error, seeds, row.lambda, row.learningRate, row.schedule])
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max()! }
        var text = lines.map { line in
            zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
        text += "\n\(finished) finished, \(diverged) diverged, \(failed) failed"
        if pending > 0 { text += ", \(pending) not yet run (resume with --resume)" }
        text += "; test error is the mean over seeds of the final epoch's, ± its standard deviation."
        return text
    }
}
