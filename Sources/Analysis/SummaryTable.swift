import Foundation
import Planning
import Results
import Training

/// The end-of-grid summary: the best cell for each optimizer × penalty.
///
/// A cell is a configuration without its seed. Its score is the mean over its finished
/// seeds of the final validation error (the final test error when the data has no
/// validation split, which the table then says), so one lucky seed cannot win and the test
/// error reported for the chosen cell is not the one that chose it. Diverged seeds are
/// counted, never averaged in: a cell with any diverged seed is ranked after every cell
/// without one.
public struct SummaryTable: Sendable {
    public struct Row: Sendable, Equatable {
        public var optimizer: String
        public var penalty: String
        public var lambda: String
        public var learningRate: String
        public var schedule: String
        /// The split the cell was chosen on, and the mean final error on it.
        public var selectedOn: SelectionSplit
        public var meanSelectionError: Double
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
    /// Cells left out because their finished runs have no test error: their data holds no
    /// test split (a held-out fraction of 0). The text says so rather than show fewer rows.
    public let cellsWithoutTestSplit: Int

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
        var withoutTestSplit = 0
        for cell in order {
            let members = cells[cell]!
            let first = members[0]
            let selectedOn = SelectionSplit(data: first.run.configuration.data)
            // `final` exists for finished runs only: diverged seeds never enter a mean.
            let finals = members.compactMap(\.final).filter {
                $0.testError.isFinite && RunOutcome.selectionError(of: $0, on: selectedOn).isFinite
            }
            guard !finals.isEmpty else {
                if members.contains(where: { $0.status == .finished && $0.run.configuration.data.hasNoTestSplit }) {
                    withoutTestSplit += 1
                }
                continue
            }
            let testErrors = finals.map(\.testError)
            let mean = Self.mean(testErrors)
            let sd = testErrors.count > 1
                ? (testErrors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(testErrors.count - 1)).squareRoot() : 0
            let config = first.run.configuration
            let row = Row(
                optimizer: config.optimizer.kind.rawValue, penalty: config.regularization.penalty.rawValue,
                lambda: first.run.label(on: "lambda") ?? NumberLabel.format(config.regularization.lambda),
                learningRate: first.run.label(on: "lr") ?? NumberLabel.format(config.optimizer.learningRate),
                schedule: first.run.label(on: "schedule") ?? config.schedule.kind.rawValue,
                selectedOn: selectedOn,
                meanSelectionError: Self.mean(finals.map { RunOutcome.selectionError(of: $0, on: selectedOn) }),
                meanTestError: mean, standardDeviation: sd, seeds: finals.count,
                divergedSeeds: members.filter { $0.status == .diverged }.count)
            let group = row.optimizer + " × " + row.penalty
            if let current = best[group] {
                if (row.divergedSeeds, row.meanSelectionError) < (current.divergedSeeds, current.meanSelectionError) { best[group] = row }
            } else {
                best[group] = row
                groups.append(group)
            }
        }
        rows = groups.map { best[$0]! }
        cellsWithoutTestSplit = withoutTestSplit
    }

    /// The table as aligned text.
    public var text: String {
        var lines: [[String]] = [["optimizer", "penalty", "val error", "test error", "seeds", "lambda", "lr", "schedule"]]
        for row in rows {
            let validation = row.selectedOn == .validation ? String(format: "%.4f", row.meanSelectionError) : "-"
            var error = String(format: "%.4f", row.meanTestError)
            if row.seeds > 1 { error += String(format: " ± %.4f", row.standardDeviation) }
            var seeds = "\(row.seeds)"
            if row.divergedSeeds > 0 { seeds += " (+\(row.divergedSeeds) diverged)" }
            lines.append([row.optimizer, row.penalty, validation, error, seeds, row.lambda, row.learningRate, row.schedule])
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max()! }
        var text = lines.map { line in
            zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
        text += "\n\(finished) finished, \(diverged) diverged, \(failed) failed"
        if pending > 0 { text += ", \(pending) not yet run (resume with --resume)" }
        text += "; errors are means over the finished seeds of the final epoch's (test ± its standard deviation);"
            + " diverged seeds are counted, not averaged."
        let splits = Set(rows.map(\.selectedOn))
        if splits.contains(.validation) {
            text += "\nBest cells are chosen on validation error"
                + (splits.contains(.test) ? "; cells with '-' have no validation split and were chosen on test error." : ".")
        } else if !rows.isEmpty {
            text += "\nBest cells are chosen on test error (the grid has no validation split): their test errors are optimistic."
        }
        if cellsWithoutTestSplit > 0 {
            text += "\n\(cellsWithoutTestSplit) cell\(cellsWithoutTestSplit == 1 ? " is" : "s are") left out: "
                + "\(cellsWithoutTestSplit == 1 ? "its data holds" : "their data hold") no test split (test_fraction 0), so no test error."
        }
        return text
    }

    static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }
}
