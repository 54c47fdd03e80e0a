import Foundation

extension GridPlan {
    /// What differs between a stored grid's canonical form and this plan's, one line per
    /// setting: `"grid.lr: [0.001,0.003] in the stored grid, [0.001] now"`. Empty when both
    /// describe the same runs, however their numbers are spelled.
    ///
    /// - Parameter ignoring: top-level settings that describe the grid without changing a run
    ///   (`description`), for a reader that takes them from this plan instead.
    public func differences(fromStored storedCanonicalText: String, ignoring: Set<String> = []) -> [String] {
        GridDifference.between(stored: storedCanonicalText, current: canonicalText, ignoring: ignoring)
    }

    /// What differs between two stored grids (two results files' canonical forms), one line per
    /// setting, each side named by its label: `"training.epochs: 60 in the baseline, 100 in the new file"`.
    public static func differences(between first: String, and second: String, labels: (first: String, second: String)) -> [String] {
        GridDifference.between(stored: first, current: second, labels: labels)
    }

    /// `differences` for a message: one indented line each, the first `limit` of them.
    public static func listing(_ differences: [String], atMost limit: Int = 10) -> String {
        differences.prefix(limit).map { "  " + $0 }.joined(separator: "\n")
    }
}

/// What differs between two canonical grids, as "path: stored vs current" lines.
enum GridDifference {
    /// Compares two canonical JSON texts value by value, so `1e-5` equals `1e-05`; texts
    /// that are not JSON are compared whole.
    static func between(stored: String, current: String,
                        labels: (first: String, second: String) = ("in the stored grid", "now"), ignoring: Set<String> = []) -> [String] {
        guard stored != current else { return [] }
        guard var a = try? JSONSerialization.jsonObject(with: Data(stored.utf8), options: [.fragmentsAllowed]),
              var b = try? JSONSerialization.jsonObject(with: Data(current.utf8), options: [.fragmentsAllowed]) else {
            return ["the grid's canonical form differs"]
        }
        if var x = a as? [String: Any], var y = b as? [String: Any] {
            for key in ignoring { x[key] = nil; y[key] = nil }
            (a, b) = (x, y)
        }
        var differences: [String] = []
        compare(a, b, path: "", labels: labels, into: &differences)
        return differences
    }

    private static func compare(_ a: Any, _ b: Any, path: String, labels: (first: String, second: String),
                                into differences: inout [String]) {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                let child = path.isEmpty ? key : path + "." + key
                switch (x[key], y[key]) {
                case (let u?, let v?): compare(u, v, path: child, labels: labels, into: &differences)
                // A field added since the stored grid was written, left at its default of none,
                // describes the same runs (dataset.validation_fraction, say).
                case (nil, is NSNull), (is NSNull, nil): break
                case (let u?, nil): differences.append("\(child): \(render(u)) \(labels.first), absent \(labels.second)")
                case (nil, let v?): differences.append("\(child): absent \(labels.first), \(render(v)) \(labels.second)")
                default: break
                }
            }
        // Lists of mappings (blocks) of equal length element by element, so that a difference
        // deep in a block is named by its path (blocks[1].training.epochs); a list of values (an
        // axis) reads best whole.
        case (let x as [Any], let y as [Any]) where x.count == y.count && x.contains(where: { $0 is [String: Any] }):
            for (index, (u, v)) in zip(x, y).enumerated() {
                compare(u, v, path: "\(path.isEmpty ? "grid" : path)[\(index)]", labels: labels, into: &differences)
            }
        default:
            // Whole texts decide; only what is printed is shortened.
            let (left, right) = (render(a), render(b))
            if left != right {
                differences.append("\(path.isEmpty ? "grid" : path): \(shortened(left)) \(labels.first), "
                                   + "\(shortened(right)) \(labels.second)")
            }
        }
    }

    private static func render(_ value: Any) -> String {
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }

    private static func shortened(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
