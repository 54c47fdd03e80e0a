import Training

/// One cell of a grid to run: its position, its labels on the grid's axes, its configuration.
public struct PlannedRun: Sendable, Equatable {
    /// Position in the grid's expansion order, from 0.
    public var index: Int
    /// Which block of the grid file it came from, from 0.
    public var block: Int
    /// Label on each axis, in the grid's axis order.
    public var coordinates: [Coordinate]
    public var configuration: RunConfiguration {
        didSet { key = configuration.key }
    }
    /// `configuration.key`, kept: hashing means encoding the whole configuration as canonical
    /// JSON, and planning, writing and reading a grid ask for each run's key several times
    /// (three quarters of `plan`'s time on a 100,000-run grid when it was not kept).
    public private(set) var key: String

    public struct Coordinate: Sendable, Equatable {
        public var axis: String
        public var label: String

        public init(axis: String, label: String) {
            self.axis = axis
            self.label = label
        }
    }

    public init(index: Int, block: Int, coordinates: [Coordinate], configuration: RunConfiguration) {
        self.index = index
        self.block = block
        self.coordinates = coordinates
        self.configuration = configuration
        self.key = configuration.key
    }

    /// The label on `axis`, if the run has one.
    public func label(on axis: String) -> String? {
        coordinates.first { $0.axis == axis }?.label
    }

    /// Axis name → label, for every axis the run has a label on.
    public var labelsByAxis: [String: String] {
        Dictionary(coordinates.map { ($0.axis, $0.label) }) { first, _ in first }
    }
}

extension PlannedRun {
    /// Coordinates for a run outside a grid: the axes the paper's grids vary.
    public static func standardCoordinates(of configuration: RunConfiguration) -> [Coordinate] {
        [
            Coordinate(axis: "optimizer", label: configuration.optimizer.kind.rawValue),
            Coordinate(axis: "penalty", label: configuration.regularization.penalty.rawValue),
            Coordinate(axis: "lambda", label: NumberLabel.format(configuration.regularization.lambda)),
            Coordinate(axis: "lr", label: NumberLabel.format(configuration.optimizer.learningRate)),
            Coordinate(axis: "schedule", label: configuration.schedule.kind.rawValue),
            Coordinate(axis: "seed", label: String(configuration.training.seed)),
        ]
    }
}
