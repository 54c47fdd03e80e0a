/// A loaded data set: a training, an optional validation and a test split, read-only and
/// shared between runs.
public final class Dataset: Sendable {
    /// Human-readable name, for example "fashion-mnist".
    public let name: String
    /// Features per point.
    public let featureCount: Int
    /// The task and, for classification, the number of classes.
    public let task: Task
    public let train: Split
    /// Points held out of the training split to choose epochs and cells on; nil when the
    /// data set has none (selection then falls back to the test split).
    public let validation: Split?
    public let test: Split
    /// Synthetic linear regression: the true weights w* (then `trueBias` too); otherwise nil.
    public let trueWeights: [Float]?
    public let trueBias: Float?

    public enum Task: Sendable, Equatable {
        case classification(classes: Int)
        case regression

        /// Outputs a model needs: one per class, or one value.
        public var outputCount: Int {
            switch self {
            case .classification(let classes): return classes
            case .regression: return 1
            }
        }
    }

    public init(name: String, featureCount: Int, task: Task, train: Split, validation: Split? = nil, test: Split,
                trueWeights: [Float]? = nil, trueBias: Float? = nil) {
        precondition(train.features.count == train.count * featureCount, "train features do not match count × featureCount")
        precondition(test.features.count == test.count * featureCount, "test features do not match count × featureCount")
        if let validation {
            precondition(validation.features.count == validation.count * featureCount,
                         "validation features do not match count × featureCount")
        }
        self.name = name
        self.featureCount = featureCount
        self.task = task
        self.train = train
        self.validation = validation
        self.test = test
        self.trueWeights = trueWeights
        self.trueBias = trueBias
    }
}

/// One split of a data set: features row-major `count × featureCount`, and targets.
public struct Split: Sendable {
    public let features: [Float]
    /// Class labels in 0..<classes (classification) as Int32.
    public let labels: [Int32]
    /// Real targets (regression).
    public let values: [Float]
    public let count: Int
    /// The features as bytes, derived on first use (`pixelBytes`).
    let pixelBytesCache = PixelBytesCache()

    /// A classification split.
    public init(features: [Float], labels: [Int32]) {
        self.features = features
        self.labels = labels
        self.values = []
        self.count = labels.count
    }

    /// A regression split.
    public init(features: [Float], values: [Float]) {
        self.features = features
        self.labels = []
        self.values = values
        self.count = values.count
    }
}
