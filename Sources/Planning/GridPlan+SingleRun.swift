/// A plan of one run, so a single run's results file has the layout of a grid's (a `/grid`
/// group with one cell, one label per axis).
extension GridPlan {
    /// The plan of `run` alone: one axis per coordinate of the run, each with its one label
    /// (numeric axes keep their value).
    public static func singleRun(_ run: PlannedRun, name: String, description: String = "") -> GridPlan {
        let axes = run.coordinates.map { coordinate in
            GridPlan.Axis(name: coordinate.axis, labels: [coordinate.label], values: Double(coordinate.label).map { [$0] })
        }
        return GridPlan(name: name, description: description, sourceText: "", canonicalText: "",
                        axes: axes, runs: [run], storesParameters: true)
    }
}
