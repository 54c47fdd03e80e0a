extension GridPlan {
    /// The plan of a parsed grid file.
    public init(_ grid: Grid) {
        let axes = grid.axes.map { axis -> Axis in
            // Numeric axes keep numbers so that xarray selects them by value (`sel(lr=1e-3)`).
            let values = axis.labels.map { Double($0) }
            return Axis(name: axis.name, labels: axis.labels,
                        values: values.allSatisfy { $0 != nil } ? values.map { $0! } : nil)
        }
        let runs = grid.runs.map { run in
            PlannedRun(index: run.index, block: run.block,
                       coordinates: grid.axes.compactMap { axis in
                           run.coordinates[axis.name].map { PlannedRun.Coordinate(axis: axis.name, label: $0) }
                       },
                       configuration: run.configuration)
        }
        self.init(name: grid.name, description: grid.description ?? "", sourceText: grid.originalText,
                  canonicalText: grid.canonicalText, axes: axes, runs: runs,
                  storesParameters: grid.storedParameters == .final)
    }
}
