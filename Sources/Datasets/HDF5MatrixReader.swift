import Foundation
import HDF5Store

/// Reads a user's (X, y) from an HDF5 file: X a 2-D numeric matrix [points, features], y a
/// 1-D vector of class labels or real targets, one per point.
///
/// The usual way to hand DecayBench data from Python:
/// `h5py.File(p, "w").update(X=X.astype("float32"), y=y)`.
public enum HDF5MatrixReader {
    /// Reads X and y from `path`.
    ///
    /// The read is tried first in a child process (`CrashIsolation`): HDF5 1.10 crashes on
    /// some damaged files, and such a file must give an error, not end the program.
    /// - Throws: `DataError` naming the file, the dataset and what is wrong with it.
    public static func read(path: String, featuresDataset: String, targetsDataset: String, task: TaskKind) throws -> FileTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError.unreadable(path: path, reason: "no such file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        // Generous: a read that ends in-process ends in the child at the same speed.
        let timeout = 60 + Double(size) / 20e6
        let outcome = CrashIsolation.probe(timeout: timeout) {
            _ = try? readInProcess(path: path, featuresDataset: featuresDataset, targetsDataset: targetsDataset, task: task)
        }
        if case .crashed(let signal) = outcome {
            throw DataError.unreadable(
                path: path, reason: "the HDF5 library crashed (signal \(signal)) reading '\(featuresDataset)' and "
                    + "'\(targetsDataset)': the file is damaged; write it again (h5py: h5py.File(p, \"w\").update(X=X, y=y))")
        }
        return try readInProcess(path: path, featuresDataset: featuresDataset, targetsDataset: targetsDataset, task: task)
    }

    private static func readInProcess(path: String, featuresDataset: String, targetsDataset: String,
                                      task: TaskKind) throws -> FileTable {
        do {
            let file = try HDF5File.open(at: path)
            let featureData = try file.root.dataset(featuresDataset)
            let targetData = try file.root.dataset(targetsDataset)
            // Shapes first, from the file's header: a declared size is checked before any
            // memory is reserved for it.
            let shape = try featureData.shape
            guard shape.count == 2, shape[0] >= 1, shape[1] >= 1 else {
                throw DataError.invalidSpec(field: "featuresDataset", expected: "a 2-D matrix [points, features] at '\(featuresDataset)' in \(path)",
                                            found: "shape \(shape)")
            }
            let targetShape = try targetData.shape
            guard targetShape.count == 1 || (targetShape.count == 2 && targetShape[1] == 1), targetShape[0] == shape[0] else {
                throw DataError.invalidSpec(field: "targetsDataset", expected: "a vector of \(shape[0]) targets at '\(targetsDataset)' in \(path)",
                                            found: "shape \(targetShape)")
            }
            try DataLimits.check(shape: shape, bytesPerValue: bytesPerValue, what: "\(path), dataset '\(featuresDataset)'")
            let features = try readFeatures(featureData)
            let targets = try readTargets(targetData)
            if let bad = features.firstIndex(where: { !$0.isFinite }) {
                throw DataError.invalidSpec(field: "featuresDataset", expected: "finite features in '\(featuresDataset)' of \(path)",
                                            found: "\(features[bad]) at row \(bad / shape[1] + 1), column \(bad % shape[1] + 1)")
            }
            switch task {
            case .regression:
                if let bad = targets.firstIndex(where: { !$0.isFinite }) {
                    throw DataError.invalidSpec(field: "targetsDataset", expected: "finite targets", found: "\(targets[bad]) at row \(bad + 1)")
                }
                return FileTable(featureCount: shape[1], rows: Split(features: features, values: targets.map { Float($0) }), task: .regression)
            case .classification:
                if let bad = targets.firstIndex(where: { $0 < 0 || $0 != $0.rounded() || $0 > Double(Int32.max) }) {
                    throw DataError.invalidSpec(field: "targetsDataset", expected: "class labels 0, 1, 2, … (whole numbers ≥ 0)",
                                                found: "\(targets[bad]) at row \(bad + 1)")
                }
                switch FileTable.classification(features: features, labels: targets.map { Int32($0) }, featureCount: shape[1]) {
                case .success(let table):
                    return table
                case .failure(let problem):
                    throw DataError.invalidSpec(field: "targetsDataset", expected: problem.expected, found: problem.found)
                }
            }
        } catch let error as HDF5Error {
            throw DataError.unreadable(path: path, reason: error.description)
        }
    }

    /// Features as Float32 from any numeric type: numpy writes float64 by default, and
    /// training is in Float32 anyway, so every type is read exactly and rounded once to
    /// Float32 (int32 and uint32 through Double, which holds them).
    private static func readFeatures(_ dataset: HDF5Dataset) throws -> [Float] {
        switch try dataset.elementType {
        case .float(bytes: 8), .signedInteger(bytes: 4), .unsignedInteger(bytes: 4):
            return try dataset.readDoubles().values.map { Float($0) }
        case .signedInteger(bytes: 8):
            return try dataset.readInt64s().values.map { Float($0) }
        case .unsignedInteger(bytes: 8):
            return try dataset.readUInt64s().values.map { Float($0) }
        default:
            return try dataset.readFloats().values
        }
    }

    /// Peak bytes per feature value while a file is read and split: a float64 or int64 value
    /// and its Float32 copy, then the table and its training and test splits, or the
    /// standardised copies; 12 covers each stage.
    private static let bytesPerValue = 12

    /// Targets as Double from any numeric type (numpy's integer labels are int64); whether
    /// they are valid labels is checked by value afterwards.
    private static func readTargets(_ dataset: HDF5Dataset) throws -> [Double] {
        switch try dataset.elementType {
        case .signedInteger(bytes: 8):
            return try dataset.readInt64s().values.map { Double($0) }
        case .unsignedInteger(bytes: 8):
            return try dataset.readUInt64s().values.map { Double($0) }
        default:
            return try dataset.readDoubles().values
        }
    }
}
