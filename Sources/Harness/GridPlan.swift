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

    /// The flat index of a run's cell in the row-major N-dimensional grid, or nil if a label
    /// is missing from an axis.
    public func cellIndex(of run: PlannedRun) -> Int? {
        var index = 0
        for axis in axes {
            guard let label = run.label(on: axis.name), let position = axis.labels.firstIndex(of: label) else { return nil }
            index = index * axis.labels.count + position
        }
        return index
    }

    /// The shape of the N-dimensional grid.
    public var shape: [Int] { axes.map(\.labels.count) }
}
