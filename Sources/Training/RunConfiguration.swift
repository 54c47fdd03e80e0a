import Datasets
import Foundation
import Models
import Optimization
import TensorMath

/// Everything that determines one run's numbers, defaults included.
///
/// Stored in full with every result, so any run can be recreated from its results file.
public struct RunConfiguration: Codable, Hashable, Sendable {
    public var data: DataSpec
    public var model: ModelSpec
    public var optimizer: OptimizerSpec
    public var regularization: RegularizationSpec
    public var schedule: ScheduleSpec
    public var training: TrainingSpec

    public init(data: DataSpec, model: ModelSpec, optimizer: OptimizerSpec,
                regularization: RegularizationSpec, schedule: ScheduleSpec, training: TrainingSpec) {
        self.data = data
        self.model = model
        self.optimizer = optimizer
        self.regularization = regularization
        self.schedule = schedule
        self.training = training
    }

    /// The configuration as JSON with sorted keys: the run's canonical form.
    public var canonicalJSON: String {
        CanonicalEncoding.text(of: self)
    }

    /// Reads a configuration written by `canonicalJSON`.
    public static func decode(canonicalJSON: String) throws -> RunConfiguration {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(RunConfiguration.self, from: Data(canonicalJSON.utf8))
    }

    /// A stable 16-hex-digit key: the hash of the canonical form.
    public var key: String { Self.key(ofCanonicalJSON: canonicalJSON) }

    /// The key of the configuration whose canonical form is `text`, as it was hashed when the
    /// run was made: a reader checks a stored configuration against its key without encoding
    /// it again (an older build may have spelt a number otherwise).
    public static func key(ofCanonicalJSON text: String) -> String {
        let hex = String(StableHash.fnv1a64(text), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The seed of the run's random streams (initial weights, batch order).
    ///
    /// Derived from the seed and the data and model only, not the optimizer or its
    /// hyperparameters: runs that differ only in optimizer, penalty, λ, lr or schedule
    /// start from the same weights and see the same batches, so comparisons between
    /// them are paired.
    public var streamSeed: UInt64 {
        let data = CanonicalEncoding.text(of: self.data), model = CanonicalEncoding.text(of: self.model)
        return StableHash.fnv1a64("seed=\(training.seed);data=\(data);model=\(model)")
    }
}

/// The training loop's own settings.
public struct TrainingSpec: Codable, Hashable, Sendable {
    /// Passes over the training data.
    public var epochs: Int
    /// Points per minibatch; `nil` trains full-batch (one step per epoch).
    public var batchSize: Int?
    /// The run's seed, as written in the grid (0 is a seed like any other).
    public var seed: UInt64
    /// OpenBLAS threads while this run computes.
    public var blasThreads: Int

    public init(epochs: Int, batchSize: Int? = 128, seed: UInt64 = 0, blasThreads: Int = 1) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.blasThreads = blasThreads
    }
}
