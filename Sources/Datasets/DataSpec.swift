/// Where a data set comes from and how it is prepared; part of every run's configuration.
///
/// Every field that can change a number is here, defaults included, so a run can be
/// recreated from its stored configuration alone. Two runs with equal `DataSpec`s see
/// exactly the same training and test data.
public struct DataSpec: Codable, Hashable, Sendable {
    /// The kinds of data set DecayBench reads or makes.
    public enum Source: String, Codable, CaseIterable, Sendable {
        case fashionMNIST = "fashion-mnist"
        case mnist
        case syntheticRegression = "synthetic-regression"
        case syntheticClassification = "synthetic-classification"
        case csv
        case hdf5

        /// Whether the source comes with its own test split (Fashion-MNIST and MNIST), rather
        /// than holding `testFraction` of its points out.
        public var hasOwnTestSplit: Bool { self == .fashionMNIST || self == .mnist }
    }

    /// The data set's kind.
    public var source: Source
    /// A directory of IDX files (MNIST-like sources) or a file (CSV, HDF5). `nil`: the
    /// default directory (see `DatasetLocator`).
    public var path: String?
    /// Use only this many training points, a random subset drawn with `seed`. `nil`: all.
    public var trainSubset: Int?
    /// Use only this many test points, a random subset drawn with `seed`. `nil`: all.
    public var testSubset: Int?
    /// For sources without their own test split (synthetic, CSV, HDF5): the fraction of
    /// points held out for testing, drawn with `seed`. In [0, 1).
    public var testFraction: Double
    /// Standardise every feature to zero mean and unit variance using training statistics.
    public var standardize: Bool
    /// Seeds the subset, the split and synthetic generation. Separate from the run's seed
    /// so that every run of a grid trains on the same data.
    public var seed: UInt64
    /// Hold out this fraction of the training split for validation, drawn with `seed`
    /// before `trainSubset` draws. In (0, 1); `nil` (and `validationSize` nil): no
    /// validation split. Left out of the canonical form when nil, so configurations
    /// without validation keep their keys.
    public var validationFraction: Double?
    /// Hold out this many training points for validation instead of a fraction; `nil`: none.
    public var validationSize: Int?

    /// Synthetic sources: number of points generated (before the split).
    public var samples: Int
    /// Synthetic sources: number of features.
    public var features: Int
    /// Synthetic classification: number of classes.
    public var classes: Int
    /// Synthetic sources: standard deviation of the label noise (regression) or of the
    /// points around their class centre (classification).
    public var noise: Double

    /// CSV: the target column, by 0-based index; negative counts from the end (-1: last).
    public var targetColumn: Int
    /// CSV: whether the first line is a header.
    public var header: Bool
    /// CSV and HDF5: whether the target is a class label or a real value.
    public var task: TaskKind?
    /// HDF5: path of the feature matrix inside the file.
    public var featuresDataset: String
    /// HDF5: path of the target vector inside the file.
    public var targetsDataset: String

    public init(
        source: Source, path: String? = nil, trainSubset: Int? = nil, testSubset: Int? = nil,
        testFraction: Double = 0.2, standardize: Bool = false, seed: UInt64 = 0,
        samples: Int = 1000, features: Int = 20, classes: Int = 3, noise: Double = 0.1,
        targetColumn: Int = -1, header: Bool = true, task: TaskKind? = nil,
        featuresDataset: String = "X", targetsDataset: String = "y",
        validationFraction: Double? = nil, validationSize: Int? = nil
    ) {
        self.source = source
        self.path = path
        self.trainSubset = trainSubset
        self.testSubset = testSubset
        self.testFraction = testFraction
        self.standardize = standardize
        self.seed = seed
        self.samples = samples
        self.features = features
        self.classes = classes
        self.noise = noise
        self.targetColumn = targetColumn
        self.header = header
        self.task = task
        self.featuresDataset = featuresDataset
        self.targetsDataset = targetsDataset
        self.validationFraction = validationFraction
        self.validationSize = validationSize
    }

    /// Whether a validation split is held out (`validationFraction` or `validationSize` set).
    public var hasValidationSplit: Bool {
        validationFraction != nil || validationSize != nil
    }

    /// Whether the data has no test split: a source that holds its test points out of its
    /// rows with a fraction of 0.
    public var hasNoTestSplit: Bool {
        !source.hasOwnTestSplit && testFraction == 0
    }
}

/// Whether targets are class labels or real values.
public enum TaskKind: String, Codable, CaseIterable, Sendable {
    case classification
    case regression
}
