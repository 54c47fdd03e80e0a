import Datasets
import Models
import Training

/// A run's relative cost, estimated without loading data or timing anything: weights ×
/// epochs × training points.
///
/// Only ratios between runs of one grid matter (they decide how shards are balanced), so
/// the data shape of CSV and HDF5 inputs, which is only known by reading the file, is a
/// fixed guess: every run of such a grid shares it.
public enum RunCost {
    public static func estimate(_ configuration: RunConfiguration) -> Double {
        let data = configuration.data
        let (features, outputs, points): (Int, Int, Int)
        switch data.source {
        case .fashionMNIST, .mnist:
            (features, outputs, points) = (784, 10, data.trainSubset ?? 60_000)
        case .syntheticClassification, .syntheticRegression:
            let test = Int((Double(data.samples) * data.testFraction).rounded())
            let classes = data.source == .syntheticRegression ? 1 : data.classes
            (features, outputs, points) = (data.features, classes, data.trainSubset ?? max(data.samples - test, 1))
        case .csv, .hdf5:
            (features, outputs, points) = (100, 10, data.trainSubset ?? 1_000)
        }
        let model = configuration.model
        let widths = [features] + (model.kind == .mlp ? model.hidden : []) + [model.kind == .linear ? 1 : outputs]
        let weights = zip(widths, widths.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 }
        return Double(weights) * Double(max(configuration.training.epochs, 1)) * Double(max(points, 1))
    }
}
