/// The rows of a user's data file before any split: what the CSV and HDF5 readers return.
public struct FileTable: Sendable {
    /// Columns other than the target.
    public let featureCount: Int
    /// Every row: its features (without the target) and its target.
    public let rows: Split
    /// Regression, or classification with `max label + 1` classes.
    public let task: Dataset.Task

    /// What is wrong with a file's class labels, in the readers' expected/found terms.
    struct LabelProblem: Error {
        /// Too few classes (a file of one class), as opposed to too many.
        let tooFew: Bool
        let expected: String
        let found: String
    }

    /// Most classes a file may declare: the output layer and its buffers grow with it.
    static var maximumClasses: Int { DataLimits.classes }

    /// A classification table whose class count is the largest label + 1, checked to be
    /// at least 2 and at most `maximumClasses`. Labels must be ≥ 0 already.
    static func classification(features: [Float], labels: [Int32], featureCount: Int) -> Result<FileTable, LabelProblem> {
        let classes = Int(labels.max() ?? 0) + 1
        guard classes <= maximumClasses else {
            return .failure(LabelProblem(tooFew: false, expected: "class labels 0..<classes with at most \(maximumClasses) classes",
                                         found: "a largest label of \(classes - 1); relabel the classes 0, 1, 2, …"))
        }
        // One label throughout is one class however large it is (a file labelled 7 everywhere
        // would train an 8-class model on a single class).
        if let first = labels.first, labels.allSatisfy({ $0 == first }) {
            return .failure(LabelProblem(tooFew: true, expected: "labels of at least 2 classes", found: "only class \(first)"))
        }
        guard classes >= 2 else {
            return .failure(LabelProblem(tooFew: true, expected: "labels of at least 2 classes", found: "only class 0"))
        }
        return .success(FileTable(featureCount: featureCount, rows: Split(features: features, labels: labels),
                                  task: .classification(classes: classes)))
    }
}
