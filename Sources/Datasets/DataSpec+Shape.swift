/// The size of a data set as its spec alone tells it, for checks and estimates made before
/// (or without) loading it.
public struct DataShape: Sendable, Equatable {
    public var trainPoints: Int
    /// Points of the validation split (0 without one).
    public var validationPoints: Int
    public var testPoints: Int
    public var features: Int
    /// Classes, or 1 for regression: the outputs a model needs.
    public var outputs: Int

    public init(trainPoints: Int, validationPoints: Int = 0, testPoints: Int, features: Int, outputs: Int) {
        self.trainPoints = trainPoints
        self.validationPoints = validationPoints
        self.testPoints = testPoints
        self.features = features
        self.outputs = outputs
    }

    /// The shape of a loaded data set.
    public init(_ dataset: Dataset) {
        self.init(trainPoints: dataset.train.count, validationPoints: dataset.validation?.count ?? 0, testPoints: dataset.test.count,
                  features: dataset.featureCount, outputs: dataset.task.outputCount)
    }
}

extension DataSpec {
    /// The shape the spec implies without reading a file: MNIST-like sets have 60,000 + 10,000
    /// images of 784 pixels in 10 classes; synthetic sets are as specified. Nil for CSV and
    /// HDF5 files, whose shape is in the file.
    public var shapeWithoutReading: DataShape? {
        // The validation split comes out of the training split before train_subset draws.
        func validation(of trainSplit: Int) -> Int {
            validationSize ?? validationFraction.map { RandomSelection.testCount(of: trainSplit, fraction: $0) } ?? 0
        }
        guard let trainSplit = trainSplitWithoutReading else { return nil }
        let validation = validation(of: trainSplit)
        switch source {
        case .fashionMNIST, .mnist:
            return DataShape(trainPoints: trainSubset ?? trainSplit - validation, validationPoints: validation,
                             testPoints: testSubset ?? testSplitWithoutReading ?? 0, features: 784, outputs: 10)
        case .syntheticRegression, .syntheticClassification:
            return DataShape(trainPoints: trainSubset ?? trainSplit - validation, validationPoints: validation,
                             testPoints: testSubset ?? testSplitWithoutReading ?? 0, features: features,
                             outputs: source == .syntheticRegression ? 1 : classes)
        case .csv, .hdf5:
            return nil
        }
    }

    /// Points of the test split when the spec alone tells: 10,000 for MNIST-like sets, the
    /// samples the test fraction holds out for synthetic ones. Nil for CSV and HDF5 files.
    var testSplitWithoutReading: Int? {
        guard let trainSplit = trainSplitWithoutReading else { return nil }
        return source.hasOwnTestSplit ? 10_000 : samples - trainSplit
    }

    /// Points of the training split before the validation hold-out comes out of it, when the
    /// spec alone tells: 60,000 for MNIST-like sets, the samples less the test fraction for
    /// synthetic ones. Nil for CSV and HDF5 files.
    var trainSplitWithoutReading: Int? {
        switch source {
        case .fashionMNIST, .mnist:
            return 60_000
        case .syntheticRegression, .syntheticClassification:
            return samples - RandomSelection.testCount(of: samples, fraction: (0..<1).contains(testFraction) ? testFraction : 0)
        case .csv, .hdf5:
            return nil
        }
    }
}
