import Training

/// A parsed and expanded grid file: its runs, the axes of its result arrays, and its
/// canonical form for checking that a resumed grid is the same grid.
public struct Grid: Sendable {
    /// Whether runs store their parameters in the results file.
    public enum StoredParameters: String, CaseIterable, Sendable {
        /// Metrics only.
        case none
        /// The parameters at the end of training too.
        case final
    }

    /// The grid's name, `[A-Za-z0-9._-]+`.
    public let name: String
    public let description: String?
    public let storedParameters: StoredParameters
    /// Every run, in expansion order (`runs[i].index == i`).
    public let runs: [GridRun]
    /// The dimensions of the result arrays, `seed` last.
    public let axes: [GridAxis]
    /// The canonical form: sorted-key JSON of every setting with defaults filled in.
    public let canonicalText: String
    /// The file as read, comments included, for recording next to the results.
    public let originalText: String
    /// The file name given to the parser.
    public let fileName: String

    let canonicalForm: CanonicalJSON
    private let labelIndices: [[String: Int]]

    init(name: String, description: String?, storedParameters: StoredParameters, runs: [GridRun], axes: [GridAxis],
         canonicalForm: CanonicalJSON, originalText: String, fileName: String) {
        self.name = name
        self.description = description
        self.storedParameters = storedParameters
        self.runs = runs
        self.axes = axes
        self.canonicalForm = canonicalForm
        self.canonicalText = canonicalForm.text
        self.originalText = originalText
        self.fileName = fileName
        labelIndices = axes.map { axis in
            Dictionary(uniqueKeysWithValues: axis.labels.enumerated().map { ($0.element, $0.offset) })
        }
    }

    /// The length of every axis: the shape of the result arrays.
    public var shape: [Int] { axes.map(\.labels.count) }

    /// The run's cell in the result arrays: one label index per axis, in axis order.
    ///
    /// Cells no run maps to (a λ that only the other penalty uses, say) stay empty (NaN).
    /// - Precondition: `run` belongs to this grid.
    public func cellIndex(of run: GridRun) -> [Int] {
        zip(axes, labelIndices).map { axis, indices in
            guard let label = run.coordinates[axis.name], let index = indices[label] else {
                preconditionFailure("run \(run.index) has no label on axis '\(axis.name)' of grid '\(name)'")
            }
            return index
        }
    }

    /// The run's cell as a row-major offset into an array of `shape`.
    public func flatCellIndex(of run: GridRun) -> Int {
        zip(cellIndex(of: run), shape).reduce(0) { offset, pair in offset * pair.1 + pair.0 }
    }

    /// What differs between this grid's canonical form and `other`'s, one line per setting:
    /// `"grid.lr: [0.001, 0.003] vs [0.001]"` (this grid's value first; `absent` when one
    /// grid lacks the setting). Empty when both grids describe the same runs.
    public func differences(from other: Grid) -> [String] {
        let mine = canonicalForm.flattened()
        let theirs = other.canonicalForm.flattened()
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { path in
            let left = mine[path]
            let right = theirs[path]
            guard left != right else { return nil }
            return "\(path): \(left?.rendered ?? "absent") vs \(right?.rendered ?? "absent")"
        }
    }
}
