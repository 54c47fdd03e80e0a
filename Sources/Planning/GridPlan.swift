/// Everything the runner and the results file need to know about a grid.
public struct GridPlan: Sendable {
    public var name: String
    public var description: String
    /// The grid file's text, stored verbatim.
    public var sourceText: String
    /// The grid in canonical form (defaults filled in, keys sorted): resuming compares it.
    public var canonicalText: String
    /// The axes of the N-dimensional `/grid` arrays, in order.
    public var axes: [Axis]
    public var runs: [PlannedRun]
    /// Whether final parameters are stored for every run.
    public var storesParameters: Bool
    /// The share of the grid `runs` holds, or nil for the whole grid.
    public var shard: Shard? = nil
    /// The ids of the claims the grid was designed to test (`decaybench claims` evaluates only
    /// these on its results); empty when the grid declares none.
    public var claims: [String] = []

    /// One axis: its name and its labels in order; numeric axes also keep their values.
    public struct Axis: Sendable, Equatable {
        public var name: String
        public var labels: [String]
        /// The labels as numbers, when every label is one (λ, lr, seed).
        public var values: [Double]?

        public init(name: String, labels: [String], values: [Double]? = nil) {
            self.name = name
            self.labels = labels
            self.values = values
        }
    }

    public init(name: String, description: String, sourceText: String, canonicalText: String,
                axes: [Axis], runs: [PlannedRun], storesParameters: Bool) {
        self.name = name
        self.description = description
        self.sourceText = sourceText
        self.canonicalText = canonicalText
        self.axes = axes
        self.runs = runs
        self.storesParameters = storesParameters
    }

    /// The run's cell: one label index per axis, in axis order; nil if the run lacks a label
    /// on an axis (cells no run maps to stay empty, NaN, in the result arrays).
    public func cellPosition(of run: PlannedRun) -> [Int]? {
        LabelIndex(axes).position(of: run)
    }

    /// The run's cell as a row-major offset into arrays of `shape`, or nil (see `cellPosition`).
    public func cellIndex(of run: PlannedRun) -> Int? {
        cellIndices(of: [run])[0]
    }

    /// `cellIndex` for many runs, looking labels up in one index built once.
    public func cellIndices(of runs: [PlannedRun]) -> [Int?] {
        let index = LabelIndex(axes)
        return runs.map { run in
            index.position(of: run).map { position in
                zip(position, shape).reduce(0) { offset, pair in offset * pair.1 + pair.0 }
            }
        }
    }

    /// Label → position on each axis.
    private struct LabelIndex {
        let axes: [(name: String, positions: [String: Int])]

        init(_ axes: [Axis]) {
            self.axes = axes.map { axis in
                (axis.name, Dictionary(axis.labels.enumerated().map { ($0.element, $0.offset) }) { first, _ in first })
            }
        }

        func position(of run: PlannedRun) -> [Int]? {
            var position: [Int] = []
            position.reserveCapacity(axes.count)
            for axis in axes {
                guard let label = run.label(on: axis.name), let index = axis.positions[label] else { return nil }
                position.append(index)
            }
            return position
        }
    }

    /// The shape of the N-dimensional grid.
    public var shape: [Int] { axes.map(\.labels.count) }
}
