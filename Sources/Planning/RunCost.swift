import Datasets
import Models
import Training

/// A run's relative cost, estimated without loading data or timing anything: weights ×
/// epochs × training points.
///
/// Only ratios between runs of one grid matter (they decide how shards are balanced).
public enum RunCost {
    public static func estimate(_ configuration: RunConfiguration) -> Double {
        let data = configuration.data
        // CSV and HDF5 shapes are only known by reading the file: a fixed guess, shared by every run of the grid.
        let shape = dataShape(data) ?? (train: data.trainSubset ?? 1_000, test: 0, features: 100, outputs: 10)
        let model = configuration.model
        let widths = [shape.features] + (model.kind == .mlp ? model.hidden : []) + [model.kind == .linear ? 1 : shape.outputs]
        let weights = zip(widths, widths.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 }
        return Double(weights) * Double(max(configuration.training.epochs, 1)) * Double(max(shape.train, 1))
    }

    /// Training and test points, features and outputs of a data specification, without
    /// loading it; nil for CSV and HDF5 files, whose shape is in the file.
    public static func dataShape(_ data: DataSpec) -> (train: Int, test: Int, features: Int, outputs: Int)? {
        data.shapeWithoutReading.map { ($0.trainPoints, $0.testPoints, $0.features, $0.outputs) }
    }
}
