import Foundation
import Results
import Training

/// How a rerun's numbers compare with the stored ones, bit for bit.
///
/// Curves are stored as float32, so the rerun's values are rounded to float32 before their
/// bits are compared; final tensors are float32 already. Wall-clock seconds are not compared.
public struct RunComparison: Sendable {
    /// One quantity that differs: how many values, by how much at most, from which epoch.
    public struct Difference: Sendable, Equatable {
        public var quantity: String
        public var differingValues: Int
        public var totalValues: Int
        public var largestAbsolute: Double
        public var largestRelative: Double
        /// The first epoch that differs, for curves.
        public var firstEpoch: Int?
    }

    public var statusStored: String
    public var statusNow: String
    public var epochsStored: Int
    public var epochsNow: Int
    public var differences: [Difference]
    /// Values compared (curve points and tensor elements).
    public var comparedValues: Int
    public var comparedTensors: Int

    public var identical: Bool {
        statusStored == statusNow && epochsStored == epochsNow && differences.isEmpty
    }

    static let curves: [(String, @Sendable (EpochRecord) -> Double)] = [
        ("train_loss", { $0.trainLoss }), ("test_loss", { $0.testLoss }), ("train_error", { $0.trainError }),
        ("test_error", { $0.testError }), ("weight_norm", { $0.weightNorm }), ("lr_multiplier", { $0.multiplier }),
    ]
    /// What chooses best epochs and cells where there is a validation split; without one
    /// both are NaN, stored and rerun alike, and any NaN matches any (HDF5 may keep another
    /// NaN than the one written), while a number there is an edit.
    static let validationCurves: [(String, @Sendable (EpochRecord) -> Double)] = [
        ("validation_loss", { $0.validationLoss }), ("validation_error", { $0.validationError }),
    ]

    public init(stored: RunRecord, rerun: RunRecord) {
        statusStored = stored.status.rawValue
        statusNow = rerun.status.rawValue
        epochsStored = stored.epochs.count
        epochsNow = rerun.epochs.count
        differences = []
        comparedValues = 0
        comparedTensors = 0
        let epochs = min(stored.epochs.count, rerun.epochs.count)
        for (name, value) in Self.curves {
            let before = stored.epochs.prefix(epochs).map { Float(value($0)) }
            let after = rerun.epochs.prefix(epochs).map { Float(value($0)) }
            record(name, before, after, epochNumbers: true)
        }
        for (name, value) in Self.validationCurves {
            func values(_ record: RunRecord) -> [Float] {
                record.epochs.prefix(epochs).map { Float(value($0)) }.map { $0.isNaN ? .nan : $0 }
            }
            record(name, values(stored), values(rerun), epochNumbers: true)
        }
        // Tensors are compared when the file stored them.
        let rerunTensors = Dictionary(rerun.parameters.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for tensor in stored.parameters {
            guard let now = rerunTensors[tensor.name], now.shape == tensor.shape else {
                differences.append(Difference(quantity: "tensor \(tensor.name)", differingValues: tensor.values.count,
                                              totalValues: tensor.values.count, largestAbsolute: .infinity,
                                              largestRelative: .infinity, firstEpoch: nil))
                continue
            }
            comparedTensors += 1
            record("tensor \(tensor.name)", tensor.values, now.values, epochNumbers: false)
        }
    }

    private mutating func record(_ quantity: String, _ before: [Float], _ after: [Float], epochNumbers: Bool) {
        comparedValues += before.count
        var count = 0, largestAbsolute = 0.0, largestRelative = 0.0
        var first: Int?
        for (index, (a, b)) in zip(before, after).enumerated() where a.bitPattern != b.bitPattern {
            count += 1
            if first == nil { first = index + 1 }
            let absolute = abs(Double(a) - Double(b))
            largestAbsolute = max(largestAbsolute, absolute.isNaN ? .infinity : absolute)
            let scale = max(abs(Double(a)), abs(Double(b)))
            if scale > 0 { largestRelative = max(largestRelative, absolute.isNaN ? .infinity : absolute / scale) }
        }
        if count > 0 {
            differences.append(Difference(quantity: quantity, differingValues: count, totalValues: before.count,
                                          largestAbsolute: largestAbsolute, largestRelative: largestRelative,
                                          firstEpoch: epochNumbers ? first : nil))
        }
    }

    /// One line: "bit-identical: …" or what differs.
    public var summary: String {
        if identical {
            return "bit-identical: \(statusNow), \(epochsNow) epochs; \(comparedValues) values compared"
                + (comparedTensors > 0 ? " (curves and \(comparedTensors) final tensors)" : " (curves; the file stored no tensors)")
        }
        var parts: [String] = []
        if statusStored != statusNow { parts.append("status \(statusStored) → \(statusNow)") }
        if epochsStored != epochsNow { parts.append("epochs \(epochsStored) → \(epochsNow)") }
        for difference in differences {
            var text = String(format: "%@: %d of %d values differ, largest |Δ| %.3g (relative %.3g)",
                              difference.quantity, difference.differingValues, difference.totalValues,
                              difference.largestAbsolute, difference.largestRelative)
            if let epoch = difference.firstEpoch { text += ", from epoch \(epoch)" }
            parts.append(text)
        }
        return "differs: " + parts.joined(separator: "; ")
    }

    /// The largest absolute difference over every quantity (0 when identical).
    public var largestAbsoluteDifference: Double {
        differences.map(\.largestAbsolute).max() ?? 0
    }
}
