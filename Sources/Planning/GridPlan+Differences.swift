import Foundation

extension GridPlan {
    /// What differs between a stored grid's canonical form and this plan's, one line per
    /// setting: `"grid.lr: [0.001,0.003] in the stored grid, [0.001] now"`. Empty when both
    /// describe the same runs, however their numbers are spelled.
    public func differences(fromStored storedCanonicalText: String) -> [String] {
        GridDifference.between(stored: storedCanonicalText, current: canonicalText)
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
    static func between(stored: String, current: String) -> [String] {
        guard stored != current else { return [] }
        guard let a = try? JSONSerialization.jsonObject(with: Data(stored.utf8), options: [.fragmentsAllowed]),
              let b = try? JSONSerialization.jsonObject(with: Data(current.utf8), options: [.fragmentsAllowed]) else {
            return ["the grid's canonical form differs"]
        }
        var differences: [String] = []
        compare(a, b, path: "", into: &differences)
        return differences
    }

    private static func compare(_ a: Any, _ b: Any, path: String, into differences: inout [String]) {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                let child = path.isEmpty ? key : path + "." + key
                switch (x[key], y[key]) {
                case (let u?, let v?): compare(u, v, path: child, into: &differences)
                // A field added since the stored grid was written, left at its default of none,
                // describes the same runs (dataset.validation_fraction, say).
                case (nil, is NSNull), (is NSNull, nil): break
                case (let u?, nil): differences.append("\(child): \(render(u)) in the stored grid, absent now")
                case (nil, let v?): differences.append("\(child): absent in the stored grid, \(render(v)) now")
                default: break
                }
            }
        default:
            if render(a) != render(b) {
                differences.append("\(path.isEmpty ? "grid" : path): \(render(a)) in the stored grid, \(render(b)) now")
            }
        }
    }

    private static func render(_ value: Any) -> String {
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) {
            let text = String(decoding: data, as: UTF8.self)
            return text.count > 200 ? String(text.prefix(200)) + "…" : text
        }
        return "\(value)"
    }
}
