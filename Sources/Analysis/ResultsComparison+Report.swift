import Foundation

/// The comparison as Markdown for people and JSON for tools.
extension ResultsComparison {
    /// Grid differences the Markdown lists before it says "and n more".
    static let listedGridDifferences = 20

    /// A Markdown report: the verdict, how the grids differ, how runs were matched, regressions,
    /// every cell, unmatched runs.
    public func markdown(baselineName: String, newName: String) -> String {
        var lines = ["# Comparison: \(newName) against \(baselineName)", ""]
        if comparedNothing {
            lines.append("**Nothing compared**: no run of the new file matches a run of the baseline, by key or by grid coordinates; "
                         + "they hold different grids.")
        } else {
            lines.append(hasRegression
                ? "**Regression**: \(regressions.count) cell metric\(regressions.count == 1 ? "" : "s") and \(statusChanges.count) run\(statusChanges.count == 1 ? "" : "s") got worse beyond the threshold."
                : "No regression.")
            if !onlyInBaseline.isEmpty {
                lines.append("**\(onlyInBaseline.count) run\(onlyInBaseline.count == 1 ? "" : "s") of the baseline \(onlyInBaseline.count == 1 ? "has" : "have") "
                             + "no result in the new file** (pending, or not in it): the new file is not shown to be as good.")
            }
        }
        lines.append("")
        lines.append("Threshold: a rise in an error or a loss beyond " + thresholdText + ".")
        if !unflaggable.isEmpty {
            lines.append("**\(unflaggable.count) of \(changes.count) cell metrics could not be flagged**: their baseline has one seed, "
                         + "or seeds that agree exactly, so there is no seed spread; only --threshold-abs can flag them.")
        }
        if nonFiniteInBaseline > 0 {
            lines.append("**\(nonFiniteInBaseline) finished run\(nonFiniteInBaseline == 1 ? "" : "s") of the baseline "
                         + "\(nonFiniteInBaseline == 1 ? "has" : "have") a non-finite metric** (a damaged file, or one written before "
                         + "such runs counted as diverged) and \(nonFiniteInBaseline == 1 ? "is" : "are") left out of \(nonFiniteInBaseline == 1 ? "its cell" : "their cells").")
        }
        if !gridDifferences.isEmpty {
            // What makes runs unmatched or cells incomparable is usually here: say it first.
            lines.append("The grids differ in \(gridDifferences.count) setting\(gridDifferences.count == 1 ? "" : "s"):")
            lines.append("")
            lines += gridDifferences.prefix(Self.listedGridDifferences).map { "- " + $0 }
            if gridDifferences.count > Self.listedGridDifferences {
                lines.append("- … and \(gridDifferences.count - Self.listedGridDifferences) more (all of them in --json)")
            }
            lines.append("")
        }
        lines.append("Runs matched by key: \(matchedByKey).")
        if !matchedByCoordinates.isEmpty {
            lines.append("Runs matched by grid coordinates because their keys changed: \(matchedByCoordinates.count) "
                         + "(for example \(matchedByCoordinates[0].baseline) → \(matchedByCoordinates[0].new)).")
        }
        if !statusChanges.isEmpty {
            lines += ["", "## Runs that no longer finish", "", "| cell | seed | baseline | new |", "|---|---|---|---|"]
            lines += statusChanges.map { "| \($0.cell) | \($0.seed) | \($0.baseline) | \($0.new) |" }
        }
        let header = ["| cell | metric | baseline | new | change | baseline seed SD | change / SD | seeds | regression |",
                      "|---|---|---|---|---|---|---|---|---|"]
        if !regressions.isEmpty {
            lines += ["", "## Regressions", ""] + header + regressions.map(row)
        }
        lines += ["", "## Every cell", ""] + header + changes.map(row)
        for (title, runs) in [("Runs only in the baseline", onlyInBaseline), ("Runs only in the new file", onlyInNew)] where !runs.isEmpty {
            lines += ["", "## \(title) (\(runs.count))", "", "| cell | seed | key |", "|---|---|---|"]
            lines += runs.map { "| \($0.cell) | \($0.seed) | \($0.key) |" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private var thresholdText: String {
        var parts: [String] = []
        if let seedDeviations = thresholds.seedDeviations { parts.append(String(format: "%g of the baseline's seed standard deviations", seedDeviations)) }
        if let absolute = thresholds.absolute { parts.append(String(format: "%g absolute", absolute)) }
        return parts.isEmpty ? "nothing (no threshold set)" : parts.joined(separator: " or ")
    }

    private func row(_ change: CellChange) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.5g", $0) } ?? "–" }
        return "| \(change.cell) | \(change.metric) | \(number(change.baselineMean)) | \(number(change.newMean)) | "
            + "\(String(format: "%+.5g", change.change)) | \(number(change.seedDeviation)) | \(number(change.changeInDeviations)) | "
            + "\(change.baselineSeeds)/\(change.newSeeds) | \(change.isRegression ? "**yes**" : "no") |"
    }

    /// The same content as JSON (sorted keys; a missing number is null).
    public func json(baselineName: String, newName: String) throws -> Data {
        func number(_ value: Double?) -> Any { value.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        func runs(_ list: [UnmatchedRun]) -> [[String: Any]] { list.map { ["key": $0.key, "cell": $0.cell, "seed": $0.seed] } }
        let object: [String: Any] = [
            "baseline": baselineName,
            "new": newName,
            "regression": hasRegression,
            "compared_nothing": comparedNothing,
            "fails": fails,
            "non_finite_in_baseline": nonFiniteInBaseline,
            "unflaggable_cells": unflaggable.count,
            "thresholds": ["seed_deviations": number(thresholds.seedDeviations), "absolute": number(thresholds.absolute)],
            "matched_by_key": matchedByKey,
            "matched_by_coordinates": matchedByCoordinates.map { ["baseline": $0.baseline, "new": $0.new] },
            "status_changes": statusChanges.map { ["key": $0.key, "cell": $0.cell, "seed": $0.seed, "baseline": $0.baseline, "new": $0.new] },
            "cells": changes.map { change -> [String: Any] in
                ["cell": change.cell, "metric": change.metric, "baseline_mean": number(change.baselineMean),
                 "new_mean": number(change.newMean), "change": number(change.change), "seed_sd": number(change.seedDeviation),
                 "change_in_sd": number(change.changeInDeviations), "baseline_seeds": change.baselineSeeds,
                 "new_seeds": change.newSeeds, "regression": change.isRegression]
            },
            "only_in_baseline": runs(onlyInBaseline),
            "only_in_new": runs(onlyInNew),
            "grid_differences": gridDifferences,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
