import HDF5Store
import Planning

/// Each run's labels as coordinates of the `run` dimension of `/curves`.
///
/// One 1-D dataset per grid axis (numbers for numeric axes such as λ, lr and seed, strings
/// otherwise) plus the run's `key`, each attached to the `run` dimension scale, and named in
/// every curve's `coordinates` attribute (the netCDF/CF convention), so that xarray shows
/// them as coordinates: `curves.test_error.groupby("penalty")` works without joining `/runs`.
enum CurveCoordinates {
    static func write(_ curves: HDF5Group, records: [RunRecord], plan: GridPlan?) throws {
        let runScale = try curves.dataset("run")
        let reserved = Set(ResultsFile.curveMetrics.map(\.name) + ["run", "epoch"])
        var written: [String] = []
        for axis in axes(records: records, plan: plan) where !reserved.contains(axis.name) {
            let labels = records.map { $0.run.label(on: axis.name) ?? "" }
            let dataset: HDF5Dataset
            if let values = axis.values {
                let byLabel = Dictionary(zip(axis.labels, values), uniquingKeysWith: { first, _ in first })
                dataset = try curves.writeDataset(axis.name, labels.map { byLabel[$0] ?? .nan }, shape: [records.count])
            } else {
                dataset = try curves.writeStrings(axis.name, labels)
            }
            try ResultsFile.describe(dataset, "each run's label on the grid axis '\(axis.name)'" + (axis.values == nil ? "" : "; NaN where the run has none"), units: "")
            try dataset.attachDimensionScale(runScale, toDimension: 0)
            written.append(axis.name)
        }
        let keys = try curves.writeStrings("key", records.map(\.run.key))
        try ResultsFile.describe(keys, "each run's key (the hash of its complete configuration)", units: "")
        try keys.attachDimensionScale(runScale, toDimension: 0)
        written.append("key")
        let coordinates = written.joined(separator: " ")
        for metric in ResultsFile.curveMetrics where try curves.contains(metric.name) {
            try curves.dataset(metric.name).setAttribute("coordinates", .string(coordinates))
        }
    }

    /// The grid's axes, or, for a file without a grid, the axes the runs carry labels on
    /// (numeric when every label is a number).
    private static func axes(records: [RunRecord], plan: GridPlan?) -> [GridPlan.Axis] {
        if let plan { return plan.axes }
        var names: [String] = []
        for record in records {
            for coordinate in record.run.coordinates where !names.contains(coordinate.axis) { names.append(coordinate.axis) }
        }
        return names.map { name in
            let labels = records.compactMap { $0.run.label(on: name) }
            let numbers = labels.compactMap(Double.init)
            return GridPlan.Axis(name: name, labels: labels, values: numbers.count == labels.count ? numbers : nil)
        }
    }
}
