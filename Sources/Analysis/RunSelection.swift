import Planning
import Results

/// A filter on runs by their labels: "optimizer=adam,penalty=decoupled".
///
/// Each term names a grid axis (or one of the labels every run has: optimizer, penalty,
/// lambda, lr, schedule, seed) and a value; a run matches when it matches every term. Values
/// match as labels, or as numbers when both are numbers (so `lr=1e-3` matches 0.001).
public struct RunSelection: Sendable, Equatable {
    private var pairs: [Pair]

    private struct Pair: Sendable, Equatable {
        var axis: String
        var value: String
        init(_ axis: String, _ value: String) { self.axis = axis; self.value = value }
    }

    /// Reads "axis=value,axis=value"; an empty text selects every run.
    /// - Throws: `RunSelectionError` naming the term that is not "axis=value".
    public init(_ text: String) throws {
        pairs = []
        for term in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = term.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw RunSelectionError("'\(term)' is not axis=value (for example optimizer=adam,penalty=decoupled)")
            }
            pairs.append(Pair(parts[0], parts[1]))
        }
    }

    /// The terms' axes that no run has a label on, for an error that lists the axes there are.
    public func unknownAxes(in runs: [PlannedRun]) -> [String] {
        let known = Set(runs.flatMap { Self.labels(of: $0).keys })
        return pairs.map(\.axis).filter { !known.contains($0) }
    }

    /// Each term's axis with the labels the runs have on it, in the order first seen: what a
    /// selection that matched no run can show instead of an empty table.
    public func labelsOnTermAxes(in runs: [PlannedRun]) -> [(axis: String, labels: [String])] {
        var axes: [String] = []
        for pair in pairs where !axes.contains(pair.axis) { axes.append(pair.axis) }
        return axes.map { axis in
            var labels: [String] = []
            for run in runs {
                if let label = Self.labels(of: run)[axis], !labels.contains(label) { labels.append(label) }
            }
            return (axis, labels)
        }
    }

    public func matches(_ run: PlannedRun) -> Bool {
        let labels = Self.labels(of: run)
        return pairs.allSatisfy { pair in
            guard let label = labels[pair.axis] else { return false }
            if label == pair.value { return true }
            if let a = Double(label), let b = Double(pair.value) { return a == b }
            return false
        }
    }

    /// The run's labels on its axes, completed by the labels every run has.
    public static func labels(of run: PlannedRun) -> [String: String] {
        var labels = Dictionary(PlannedRun.standardCoordinates(of: run.configuration).map { ($0.axis, $0.label) },
                                uniquingKeysWith: { first, _ in first })
        for coordinate in run.coordinates { labels[coordinate.axis] = coordinate.label }
        return labels
    }
}

public struct RunSelectionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
