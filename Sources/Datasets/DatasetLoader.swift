import Foundation
import HDF5Store

/// Turns a `DataSpec` into a `Dataset`: validate, read or generate, split, take subsets,
/// standardise — in that order.
///
/// - Sources with their own test split (Fashion-MNIST, MNIST) ignore `testFraction`.
/// - Others hold out `testFraction` of their points (rounded to the nearest integer) with
///   `DeterministicRandom(seed: spec.seed, stream: "split")`.
/// - `validationFraction` or `validationSize` then holds out validation points from the
///   training split (stream "validation"), before any subset is drawn: `trainSubset` stays
///   the number of training points, and every run with the same data settings sees the
///   same three splits.
/// - `trainSubset` and `testSubset` then draw from the training and test split (streams
///   "train-subset" and "test-subset"). Held-out and subset points keep their original order.
/// - Standardisation uses the statistics of the training points actually kept.
public enum DatasetLoader {
    /// Loads the data set `spec` describes.
    /// - Parameter locator: where MNIST-like directories are; the default reads the
    ///   process's environment.
    /// - Throws: `DataError` saying which field, file, line or column is wrong.
    public static func load(_ spec: DataSpec, locator: DatasetLocator = DatasetLocator()) throws -> Dataset {
        try validate(spec)
        var parts = try read(spec, locator: locator)
        var validation: Split?
        if let size = try validationCount(spec, trainCount: parts.train.count) {
            let (kept, heldOut) = RandomSelection.holdOut(count: parts.train.count, testCount: size, seed: spec.seed,
                                                          stream: "validation")
            validation = parts.train.rows(heldOut, featureCount: parts.featureCount)
            parts.train = parts.train.rows(kept, featureCount: parts.featureCount)
        }
        if let size = spec.trainSubset {
            parts.train = try subset(parts.train, size: size, field: "trainSubset", stream: "train-subset",
                                     featureCount: parts.featureCount, seed: spec.seed)
        }
        if let size = spec.testSubset {
            parts.test = try subset(parts.test, size: size, field: "testSubset", stream: "test-subset",
                                    featureCount: parts.featureCount, seed: spec.seed)
        }
        if spec.standardize {
            let standardizer = Standardizer(fitting: parts.train, featureCount: parts.featureCount)
            parts.train = standardizer.apply(to: parts.train)
            parts.test = standardizer.apply(to: parts.test)
            validation = validation.map { standardizer.apply(to: $0) }
        }
        return Dataset(name: parts.name, featureCount: parts.featureCount, task: parts.task,
                       train: parts.train, validation: validation, test: parts.test,
                       trueWeights: parts.trueWeights, trueBias: parts.trueBias)
    }

    /// The number of training points to hold out for validation, nil for none.
    private static func validationCount(_ spec: DataSpec, trainCount: Int) throws -> Int? {
        let size: Int, field: String
        if let fraction = spec.validationFraction {
            size = RandomSelection.testCount(of: trainCount, fraction: fraction)
            field = "validationFraction"
        } else if let count = spec.validationSize {
            size = count
            field = "validationSize"
        } else {
            return nil
        }
        guard size >= 1, size < trainCount else {
            throw DataError.invalidSpec(field: field,
                                        expected: "a hold-out of 1 to \(trainCount - 1) of the \(trainCount) training points",
                                        found: field == "validationSize" ? "\(size)" : "\(spec.validationFraction!) (\(size) points)")
        }
        return size
    }

    /// Checks the fields `spec.source` uses, without reading anything.
    /// - Throws: `DataError.invalidSpec` naming the first bad field.
    public static func validate(_ spec: DataSpec) throws {
        func require(_ condition: Bool, _ field: String, _ expected: String, _ found: @autoclosure () -> String) throws {
            if !condition { throw DataError.invalidSpec(field: field, expected: expected, found: found()) }
        }
        try require(spec.testFraction.isFinite && spec.testFraction >= 0 && spec.testFraction < 1,
                     "testFraction", "a fraction in [0, 1)", "\(spec.testFraction)")
        try require(spec.trainSubset.map { $0 >= 1 } ?? true, "trainSubset", "a positive count or none",
                    "\(spec.trainSubset ?? 0)")
        try require(spec.testSubset.map { $0 >= 1 } ?? true, "testSubset", "a positive count or none",
                    "\(spec.testSubset ?? 0)")
        try require(!(spec.validationFraction != nil && spec.validationSize != nil), "validationSize",
                    "either validationFraction or validationSize, not both",
                    "validationFraction \(spec.validationFraction ?? 0) and validationSize \(spec.validationSize ?? 0)")
        try require(spec.validationFraction.map { $0.isFinite && $0 > 0 && $0 < 1 } ?? true, "validationFraction",
                    "a fraction in (0, 1) or none", "\(spec.validationFraction ?? 0)")
        try require(spec.validationSize.map { $0 >= 1 } ?? true, "validationSize", "a positive count or none",
                    "\(spec.validationSize ?? 0)")
        if let problem = spec.sizeProblems.first {
            throw DataError.invalidSpec(field: problem.field, expected: "a size DecayBench accepts", found: problem.message)
        }
        switch spec.source {
        case .fashionMNIST, .mnist:
            break
        case .syntheticRegression, .syntheticClassification:
            try require(spec.samples >= 1, "samples", "a positive count", "\(spec.samples)")
            try require(spec.features >= 1, "features", "a positive count", "\(spec.features)")
            try require(spec.noise.isFinite && spec.noise >= 0, "noise", "a finite standard deviation ≥ 0",
                        "\(spec.noise)")
            if spec.source == .syntheticClassification {
                try require(spec.classes >= 2, "classes", "at least 2", "\(spec.classes)")
                try require(spec.samples >= spec.classes, "samples", "at least one point per class (≥ \(spec.classes))",
                            "\(spec.samples)")
            }
        case .csv:
            try require(!(spec.path ?? "").isEmpty, "path", "the CSV file to read", "none")
            try require(spec.task != nil, "task", "classification or regression (CSV targets need one)", "none")
        case .hdf5:
            try require(!(spec.path ?? "").isEmpty, "path", "the HDF5 file to read", "none")
            try require(spec.task != nil, "task", "classification or regression (HDF5 targets need one)", "none")
        }
    }

    /// A data set under construction.
    private struct Parts {
        var name: String
        var featureCount: Int
        var task: Dataset.Task
        var train: Split
        var test: Split
        var trueWeights: [Float]? = nil
        var trueBias: Float? = nil
    }

    private static func read(_ spec: DataSpec, locator: DatasetLocator) throws -> Parts {
        switch spec.source {
        case .fashionMNIST, .mnist:
            return try readIDX(spec, locator: locator)
        case .syntheticRegression:
            try checkMemory(spec)
            let problem = SyntheticData.regression(samples: spec.samples, features: spec.features,
                                                   noise: spec.noise, seed: spec.seed)
            var parts = try holdOut(problem.rows, name: spec.source.rawValue, featureCount: spec.features,
                                    task: .regression, spec: spec)
            parts.trueWeights = problem.weights
            parts.trueBias = problem.bias
            return parts
        case .syntheticClassification:
            try checkMemory(spec)
            let rows = SyntheticData.classification(samples: spec.samples, features: spec.features,
                                                    classes: spec.classes, noise: spec.noise, seed: spec.seed)
            return try holdOut(rows, name: spec.source.rawValue, featureCount: spec.features,
                               task: .classification(classes: spec.classes), spec: spec)
        case .csv:
            // validate(_:) has checked that path and task are set.
            let path = spec.path!
            let table = try CSVReader.read(path: path, targetColumn: spec.targetColumn, header: spec.header,
                                           task: spec.task!)
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            return try holdOut(table.rows, name: name, featureCount: table.featureCount, task: table.task, spec: spec)
        case .hdf5:
            let path = spec.path!
            let table = try HDF5MatrixReader.read(path: path, featuresDataset: spec.featuresDataset,
                                                  targetsDataset: spec.targetsDataset, task: spec.task!)
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            return try holdOut(table.rows, name: name, featureCount: table.featureCount, task: table.task, spec: spec)
        }
    }

    /// Synthetic points are made in memory: their size, within the limits, must also fit in it
    /// (the points, then the training and test copies).
    private static func checkMemory(_ spec: DataSpec) throws {
        try DataLimits.check(shape: [spec.samples, spec.features], bytesPerValue: 12,
                             what: "\(spec.source.rawValue) data (samples × features)")
    }

    private static func readIDX(_ spec: DataSpec, locator: DatasetLocator) throws -> Parts {
        let files = try locator.idxFiles(for: spec.source, path: spec.path)
        // The two splits are read at once, the test split on another thread: reading a split
        // is inflating it and touching fresh pages, and the machine has more than one core.
        // The training split's error, if any, is reported first, as if they were read in turn.
        // Under an address-space limit they are read in turn: each checks its size against what
        // the limit leaves, and two checks at once would each count the room the other takes
        // (an allocation past the limit ends the process).
        nonisolated(unsafe) var test: Result<Split, any Error>!
        let testRead = DispatchGroup()
        let inTurn = ProcessMemory.addressSpaceLimit != nil
        if !inTurn {
            DispatchQueue.global().async(group: testRead) {
                test = Result { try readIDXSplit(images: files.testImages, labels: files.testLabels) }
            }
        }
        let train = Result { try readIDXSplit(images: files.trainImages, labels: files.trainLabels) }
        if inTurn { test = Result { try readIDXSplit(images: files.testImages, labels: files.testLabels) } }
        testRead.wait()
        return Parts(name: spec.source.rawValue, featureCount: 28 * 28, task: .classification(classes: 10),
                     train: try train.get(), test: try test.get())
    }

    /// One split of an MNIST-like set: 28×28 images, as many labels as images, labels 0...9.
    private static func readIDXSplit(images imagesPath: String, labels labelsPath: String) throws -> Split {
        let images = try IDXReader.readImages(at: imagesPath, imageShape: (28, 28))
        let labels = try IDXReader.readLabels(at: labelsPath)
        guard labels.count == images.count else {
            throw DataError.malformedIDX(path: labelsPath, expected: "\(images.count) labels, one per image in \(imagesPath)",
                                         found: "\(labels.count)")
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw DataError.malformedIDX(path: labelsPath, expected: "labels 0...9", found: "\(labels[bad]) at item \(bad)")
        }
        return Split(features: images.pixels, labels: labels)
    }

    private static func holdOut(_ rows: Split, name: String, featureCount: Int, task: Dataset.Task,
                                spec: DataSpec) throws -> Parts {
        let testCount = RandomSelection.testCount(of: rows.count, fraction: spec.testFraction)
        if spec.testFraction > 0, testCount == 0 {
            throw DataError.invalidSpec(field: "testFraction",
                                        expected: "a fraction that holds out at least one of \(rows.count) points",
                                        found: "\(spec.testFraction)")
        }
        if testCount == rows.count {
            throw DataError.invalidSpec(field: "testFraction",
                                        expected: "a fraction that leaves training points among \(rows.count)",
                                        found: "\(spec.testFraction)")
        }
        let (train, test) = RandomSelection.holdOut(count: rows.count, testCount: testCount, seed: spec.seed)
        return Parts(name: name, featureCount: featureCount, task: task,
                     train: rows.rows(train, featureCount: featureCount),
                     test: rows.rows(test, featureCount: featureCount))
    }

    private static func subset(_ split: Split, size: Int, field: String, stream: String,
                               featureCount: Int, seed: UInt64) throws -> Split {
        guard size <= split.count else {
            throw DataError.invalidSpec(field: field, expected: "at most the \(split.count) points available",
                                        found: "\(size)")
        }
        return split.rows(RandomSelection.subset(of: split.count, size: size, seed: seed, stream: stream),
                          featureCount: featureCount)
    }
}
