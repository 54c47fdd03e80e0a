import HDF5Store
import Planning

/// The `/grid` group: metrics as N-dimensional arrays over the grid's axes.
///
/// Each axis is a 1-D dataset named after the axis and marked as a dimension scale, so
/// `xarray.open_dataset(path, engine="h5netcdf", group="grid")` shows labelled dimensions.
/// Numeric axes (λ, lr, seed) hold numbers, so `.sel(lr=1e-3)` works; the others hold
/// strings. Cells without a run (a λ list that depends on the penalty, say) and runs that
/// have not finished an epoch are NaN; `run_index` maps each cell to its row in `/runs`
/// (−1 for none).
enum GridArrays {
    static let metrics: [(name: String, description: String, units: String, value: @Sendable (RunRecord) -> Double?)] = [
        ("test_error", "final test error: misclassified fraction, or MSE for regression; NaN for a run that did not finish", "fraction or squared target units", { $0.final?.testError }),
        ("validation_error", "final validation error; NaN without a validation split", "fraction or squared target units", { $0.final?.validationError }),
        ("train_error", "final training error", "fraction or squared target units", { $0.final?.trainError }),
        ("test_loss", "final mean test loss", "nats or squared target units", { $0.final?.testLoss }),
        ("validation_loss", "final mean validation loss; NaN without a validation split", "nats or squared target units", { $0.final?.validationLoss }),
        ("train_loss", "final mean training loss (no penalty)", "nats or squared target units", { $0.final?.trainLoss }),
        ("best_test_error", "test error at the best epoch, the one of lowest validation error (lowest test error without a validation split: see /runs selected_on)", "fraction or squared target units", { $0.best?.testError }),
        ("best_validation_error", "lowest validation error over the epochs; NaN without a validation split", "fraction or squared target units", { $0.best?.validationError }),
        ("weight_norm", "final L2 norm of the weights (biases excluded)", "parameter units", { $0.final?.weightNorm }),
        ("seconds", "wall-clock seconds of the run", "s", { $0.status == .pending ? nil : $0.seconds }),
        ("diverged", "1 where the run diverged, 0 where it did not, NaN where it has not run", "1",
         { $0.status == .pending || $0.status == .failed ? nil : ($0.status == .diverged ? 1 : 0) }),
    ]

    static func write(_ group: HDF5Group, plan: GridPlan, records: [RunRecord]) throws {
        let shape = plan.shape
        let cells = shape.reduce(1, *)
        try group.setAttribute("description", .string("metrics over the grid's axes (\(plan.axes.map(\.name).joined(separator: ", ")))"))
        var scales: [HDF5Dataset] = []
        for axis in plan.axes {
            let scale: HDF5Dataset
            if let values = axis.values {
                scale = try group.writeDataset(axis.name, values, shape: [values.count])
            } else {
                scale = try group.writeStrings(axis.name, axis.labels)
            }
            try ResultsFile.describe(scale, "labels of the grid axis '\(axis.name)'", units: axis.name == "lr" || axis.name == "lambda" ? "1" : "")
            try scale.makeDimensionScale()
            scales.append(scale)
        }
        var runIndex = [Int64](repeating: -1, count: cells)
        let cellOfRecord = plan.cellIndices(of: records.map(\.run))
        for (record, cell) in zip(records, cellOfRecord) {
            if let cell { runIndex[cell] = Int64(record.run.index) }
        }
        let indexDataset = try group.writeDataset("run_index", runIndex, shape: shape)
        try ResultsFile.describe(indexDataset, "row of /runs for each cell, -1 where the grid has no run", units: "1")
        try attach(scales, to: indexDataset)
        for metric in metrics {
            var values = [Double](repeating: .nan, count: cells)
            for (record, cell) in zip(records, cellOfRecord) {
                if let cell, let value = metric.value(record) { values[cell] = value }
            }
            let dataset = try group.writeDataset(metric.name, values, shape: shape,
                                                 storage: cells > 1 ? .compressed() : .contiguous)
            try ResultsFile.describe(dataset, metric.description + "; NaN where no result", units: metric.units)
            try attach(scales, to: dataset)
        }
    }

    private static func attach(_ scales: [HDF5Dataset], to dataset: HDF5Dataset) throws {
        for (dimension, scale) in scales.enumerated() {
            try dataset.attachDimensionScale(scale, toDimension: dimension)
        }
    }
}
