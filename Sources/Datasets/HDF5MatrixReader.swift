import Foundation
import HDF5Store

/// Reads a user's (X, y) from an HDF5 file: X a 2-D numeric matrix [points, features], y a
/// 1-D vector of class labels or real targets, one per point.
///
/// The usual way to hand DecayBench data from Python:
/// `h5py.File(p, "w").update(X=X.astype("float32"), y=y)`.
public enum HDF5MatrixReader {
    public static func read(path: String, featuresDataset: String, targetsDataset: String, task: TaskKind) throws -> FileTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError.unreadable(path: path, reason: "no such file")
        }
        do {
            let file = try HDF5File.open(at: path)
            let (features, shape) = try readFeatures(file.root.dataset(featuresDataset))
            guard shape.count == 2, shape[0] >= 1, shape[1] >= 1 else {
                throw DataError.invalidSpec(field: "featuresDataset", expected: "a 2-D matrix [points, features] at '\(featuresDataset)' in \(path)",
                                            found: "shape \(shape)")
            }
            let (targets, targetShape) = try readTargets(file.root.dataset(targetsDataset))
            guard targetShape.count == 1 || (targetShape.count == 2 && targetShape[1] == 1), targets.count == shape[0] else {
                throw DataError.invalidSpec(field: "targetsDataset", expected: "a vector of \(shape[0]) targets at '\(targetsDataset)' in \(path)",
                                            found: "shape \(targetShape)")
            }
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
    /// training is in Float32 anyway.
    private static func readFeatures(_ dataset: HDF5Dataset) throws -> (values: [Float], shape: [Int]) {
        switch try dataset.elementType {
        case .float(bytes: 8):
            let (values, shape) = try dataset.readDoubles()
            return (values.map { Float($0) }, shape)
        case .signedInteger(bytes: 8):
            let (values, shape) = try dataset.readInt64s()
            return (values.map { Float($0) }, shape)
        default:
            return try dataset.readFloats()
        }
    }

    /// Targets as Double from any numeric type (numpy's integer labels are int64); whether
    /// they are valid labels is checked by value afterwards.
    private static func readTargets(_ dataset: HDF5Dataset) throws -> (values: [Double], shape: [Int]) {
        switch try dataset.elementType {
        case .signedInteger(bytes: 8):
            let (values, shape) = try dataset.readInt64s()
            return (values.map { Double($0) }, shape)
        default:
            return try dataset.readDoubles()
        }
    }
}
