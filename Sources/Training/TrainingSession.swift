import Datasets
import Foundation
import Models
import Optimization
import TensorMath

/// One run in progress: its parameters, optimizer state and every buffer it needs.
///
/// A value type that owns all its mutable state, so sessions on different threads share
/// nothing mutable; the data set is shared read-only. All buffers are allocated when the
/// session is made: a training step allocates nothing. A full batch, and every batch of a
/// network without a hidden layer, is read from the data set in place, without a copy.
public struct TrainingSession: Sendable {
    /// Rows of one evaluation pass (fewer would mean more, smaller sgemm calls); the batch
    /// when it is larger. The size checks and the memory estimate count the same rows.
    public static let evaluationChunkRows = 1024

    public let configuration: RunConfiguration
    public let dataset: Dataset
    public let network: DenseNetwork
    public let chain: UpdateChain
    public let schedule: LearningRateSchedule
    /// Points per step (the whole training split when full-batch, never more than it).
    public let batchSize: Int
    /// Which training points each step of each epoch visits.
    public let batchOrder: BatchOrder
    public var stepsPerEpoch: Int { batchOrder.stepsPerEpoch }

    /// The parameters now (a copy).
    public var parameters: [Float] { parameterStorage.array }
    /// On a cache line, like the gradient and the optimizer state: the kernels stream them eight floats at a time.
    private var parameterStorage: AlignedFloats
    public private(set) var optimizerState: UpdateState
    /// Steps taken so far.
    public private(set) var step: Int = 0

    private var gradient: AlignedFloats
    /// Whether every value of `gradient` is +0: true when it is made and after each step,
    /// whose update clears it, so that the next gradient is added onto it without a clearing pass.
    private var gradientIsZero = true
    private var workspace: NetworkWorkspace
    private var batchFeatures: AlignedFloats
    private var batchLabels: [Int32]
    private var batchValues: [Float]
    private let weightRanges: [Range<Int>]

    /// - Parameters:
    ///   - initialParameters: start from these instead of the seeded initialisation
    ///     (used to replay trajectories computed elsewhere).
    public init(configuration: RunConfiguration, dataset: Dataset, initialParameters: [Float]? = nil) throws {
        // Sizes are checked before any buffer is reserved for them.
        if let problem = configuration.problems(on: dataset).first { throw problem }
        let architecture = try ModelFactory.architecture(for: configuration.model, dataset: dataset)
        let network = DenseNetwork(architecture: architecture)
        let trainCount = dataset.train.count
        guard trainCount > 0 else { throw ConfigurationError(field: "data", "the training split is empty") }
        let training = configuration.training
        guard training.epochs > 0 else { throw ConfigurationError(field: "training.epochs", "must be at least 1, got \(training.epochs)") }
        if let size = training.batchSize, size < 1 {
            throw ConfigurationError(field: "training.batch_size", "must be at least 1 or \"full\", got \(size)")
        }
        let batchSize = min(training.batchSize ?? trainCount, trainCount)
        let batchOrder = BatchOrder(count: trainCount, batchSize: training.batchSize, seed: configuration.streamSeed)

        let layout = network.layout
        let regularizedRoles: Set<ParameterLayout.Role> = configuration.regularization.includeBiases ? [.weight, .bias] : [.weight]
        let chain = UpdateChain.make(
            optimizer: configuration.optimizer, regularization: configuration.regularization,
            learningRate: configuration.optimizer.learningRate, regularizedRanges: layout.ranges(withRoles: regularizedRoles))

        if let initialParameters {
            guard initialParameters.count == layout.count else {
                throw ConfigurationError(field: "initial parameters", "expected \(layout.count) values, got \(initialParameters.count)")
            }
            parameterStorage = AlignedFloats(initialParameters)
        } else {
            var random = DeterministicRandom(seed: configuration.streamSeed, stream: "init")
            parameterStorage = AlignedFloats(
                ParameterInitializer.parameters(for: architecture, scheme: configuration.model.initialization, random: &random))
        }

        self.configuration = configuration
        self.dataset = dataset
        self.network = network
        self.chain = chain
        self.schedule = LearningRateSchedule(spec: configuration.schedule, epochs: training.epochs, stepsPerEpoch: batchOrder.stepsPerEpoch)
        self.batchSize = batchSize
        self.batchOrder = batchOrder
        self.optimizerState = chain.makeState(parameterCount: layout.count)
        self.gradient = AlignedFloats(repeating: 0, count: layout.count)
        let largestSplit = max(trainCount, dataset.test.count, dataset.validation?.count ?? 0)
        self.workspace = network.makeWorkspace(capacity: max(batchSize, min(Self.evaluationChunkRows, largestSplit)))
        // A full batch is read in place, so only minibatch runs hold a batch copy; a network
        // without a hidden layer reads every batch in place and copies only its targets.
        self.batchFeatures = AlignedFloats(repeating: 0, count: 0)
        self.batchLabels = []
        self.batchValues = []
        self.weightRanges = layout.ranges(withRoles: [.weight])
        if network.readsBatchRowsInPlace {
            allocateTargetBuffers()
        } else if training.batchSize != nil {
            allocateBatchBuffers()
        }
    }

    /// Room for one shuffled batch: made with the session for minibatch runs, and on first
    /// use if a full-batch session is ever asked to step on shuffled rows.
    private mutating func allocateBatchBuffers() {
        batchFeatures = AlignedFloats(repeating: 0, count: batchSize * dataset.featureCount)
        allocateTargetBuffers()
    }

    /// Room for one batch's targets (all a network without a hidden layer copies).
    private mutating func allocateTargetBuffers() {
        batchLabels = [Int32](repeating: 0, count: batchSize)
        batchValues = [Float](repeating: 0, count: batchSize)
    }

    /// λ_t for step t in the run's decay convention: the configured λ, or, when normalized,
    /// the paper's λ = λ_norm·√(b/(B·T)) (App. B.1; T the current warm-restart period).
    ///
    /// λ_norm is always the paper's: under `torch`, whose decay per step is α·η_t·λ, the
    /// paper's λ is divided by α, so both conventions decay by η_t·λ per step.
    public func lambda(atStep step: Int) -> Double {
        let regularization = configuration.regularization
        guard regularization.normalized else { return regularization.lambda }
        let period = schedule.periodLength(atStep: step)
        let paperLambda = regularization.lambda * (Double(batchSize) / (Double(dataset.train.count) * period)).squareRoot()
        switch regularization.decayConvention {
        case .paper: return paperLambda
        case .torch: return paperLambda / configuration.optimizer.learningRate
        }
    }

    /// Every λ_t the run applies, each value once in the order of use (see `RunResult.appliedLambdas`).
    public var appliedLambdas: [Double] {
        // λ_t changes only between warm-restart periods of different lengths.
        guard configuration.regularization.normalized, configuration.schedule.kind == .warmRestarts else {
            return [lambda(atStep: 0)]
        }
        var values: [Double] = []
        for step in 0..<(configuration.training.epochs * stepsPerEpoch) {
            let value = lambda(atStep: step)
            if values.last != value { values.append(value) }
        }
        return values
    }

    /// One optimizer step on the training rows `indices`.
    ///
    /// - Parameters:
    ///   - upcoming: the rows of the next step, when known: a shuffled batch's rows are asked
    ///     into the caches while this step's update runs (it changes no value).
    /// - Returns: the batch's mean data loss before the step (non-finite when diverging).
    @discardableResult
    public mutating func step(on indices: ArraySlice<Int>, upcoming: ArraySlice<Int>? = nil) -> Double {
        let rows = indices.count
        precondition(rows >= 1 && rows <= batchSize, "a batch holds 1...\(batchSize) rows, got \(rows)")
        let context = StepContext(multiplier: schedule.multiplier(atStep: step), lambda: lambda(atStep: step))
        let chain = self.chain
        let loss = network.readsBatchRowsInPlace ? singleLayerLossAndGradient(indices) : lossAndGradient(indices)
        if loss.isFinite {
            let upcoming = upcoming.flatMap { network.readsBatchRowsInPlace || Self.areConsecutive($0) ? nil : $0 }
            let bytes = upcoming == nil ? nil : dataset.train.pixelBytes
            Self.withPrefetch(of: upcoming, in: dataset.train, bytes: bytes, width: dataset.featureCount) { prefetch in
                parameterStorage.withUnsafeMutableBufferPointer { parameters in
                    gradient.withUnsafeMutableBufferPointer { gradient in
                        chain.apply(parameters: parameters, gradient: gradient, state: &optimizerState, context: context,
                                    clearingGradient: true, prefetching: prefetch)
                    }
                }
            }
            gradientIsZero = true
        } else {
            gradientIsZero = false
        }
        step += 1
        return loss
    }

    /// Calls `body` with the rows `upcoming` of the matrix a shuffled batch is copied from
    /// (`bytes`, or else the split's features), or with nil when there are none.
    private static func withPrefetch(of upcoming: ArraySlice<Int>?, in split: Split, bytes: [UInt8]?, width: Int,
                                     _ body: (RowPrefetch?) -> Void) {
        guard let upcoming else { return body(nil) }
        upcoming.withUnsafeBufferPointer { rows in
            func prefetch(_ matrix: UnsafeRawBufferPointer, rowBytes: Int) {
                body(matrix.baseAddress.map { RowPrefetch(base: $0, rowBytes: rowBytes, rows: rows) })
            }
            if let bytes {
                bytes.withUnsafeBytes { prefetch($0, rowBytes: width) }
            } else {
                split.features.withUnsafeBytes { prefetch($0, rowBytes: width * MemoryLayout<Float>.stride) }
            }
        }
    }

    /// The batch's loss and gradient through the general network path: a batch of consecutive
    /// rows in stored order (every full batch) is read where it lies; only a shuffled minibatch
    /// is copied into the batch buffers.
    private mutating func lossAndGradient(_ indices: ArraySlice<Int>) -> Double {
        let rows = indices.count
        let train = dataset.train
        let inPlace = Self.areConsecutive(indices)
        let firstRow = inPlace ? indices.first! : 0
        if !inPlace { gatherBatch(indices) }
        let network = self.network
        let features = dataset.featureCount
        let isClassification = dataset.task != .regression
        let gradientIsZero = self.gradientIsZero
        let batch = batchFeatures
        func withSource<Result>(_ body: (UnsafeBufferPointer<Float>) -> Result) -> Result {
            inPlace ? train.features.withUnsafeBufferPointer(body) : batch.withUnsafeBufferPointer(body)
        }
        return parameterStorage.withUnsafeBufferPointer { parameters in
            gradient.withUnsafeMutableBufferPointer { gradient in
                return withSource { inputs in
                    let inputs = UnsafeBufferPointer(rebasing: inputs[(firstRow * features)..<((firstRow + rows) * features)])
                    if isClassification {
                        return (inPlace ? train.labels : batchLabels).withUnsafeBufferPointer { labels in
                            network.lossAndGradient(
                                parameters: parameters, inputs: inputs,
                                targets: .labels(UnsafeBufferPointer(rebasing: labels[firstRow..<(firstRow + rows)])),
                                rows: rows, gradient: gradient, gradientIsZero: gradientIsZero, workspace: &workspace)
                        }
                    }
                    return (inPlace ? train.values : batchValues).withUnsafeBufferPointer { values in
                        network.lossAndGradient(
                            parameters: parameters, inputs: inputs,
                            targets: .values(UnsafeBufferPointer(rebasing: values[firstRow..<(firstRow + rows)])),
                            rows: rows, gradient: gradient, gradientIsZero: gradientIsZero, workspace: &workspace)
                    }
                }
            }
        }
    }

    /// The batch's loss and gradient for a network without a hidden layer: every row is read
    /// where it lies in the training split, only the batch's targets are copied.
    private mutating func singleLayerLossAndGradient(_ indices: ArraySlice<Int>) -> Double {
        let network = self.network
        let train = dataset.train
        let features = dataset.featureCount
        let isClassification = dataset.task != .regression
        if batchLabels.isEmpty { allocateTargetBuffers() }
        if isClassification {
            batchLabels.withUnsafeMutableBufferPointer { train.gatherTargets(rows: indices, labels: $0) }
        } else {
            batchValues.withUnsafeMutableBufferPointer { train.gatherTargets(rows: indices, values: $0) }
        }
        return parameterStorage.withUnsafeBufferPointer { parameters in
            gradient.withUnsafeMutableBufferPointer { gradient in
                Self.withFeatures(of: train, pixelBytesWanted: true) { matrix, pixelBytes in
                    indices.withUnsafeBufferPointer { indices in
                        let rows = BatchRows(selectedFrom: matrix, pixelBytes: pixelBytes, width: features, indices: indices)
                        if isClassification {
                            return batchLabels.withUnsafeBufferPointer { labels in
                                network.lossAndGradient(parameters: parameters, rows: rows,
                                                        targets: .labels(UnsafeBufferPointer(rebasing: labels[..<rows.count])),
                                                        gradient: gradient, workspace: &workspace)
                            }
                        }
                        return batchValues.withUnsafeBufferPointer { values in
                            network.lossAndGradient(parameters: parameters, rows: rows,
                                                    targets: .values(UnsafeBufferPointer(rebasing: values[..<rows.count])),
                                                    gradient: gradient, workspace: &workspace)
                        }
                    }
                }
            }
        }
    }

    /// Whether `indices` are k, k+1, …, k+n−1: rows that lie together in the split already.
    private static func areConsecutive(_ indices: ArraySlice<Int>) -> Bool {
        guard let first = indices.first, indices.last! - first == indices.count - 1 else { return false }
        return indices.elementsEqual(first..<(first + indices.count))
    }

    /// Copies the training rows `indices` into the batch buffers: from the pixel bytes, scaled,
    /// when the split has them (a quarter of the memory to read, the same floats).
    private mutating func gatherBatch(_ indices: ArraySlice<Int>) {
        let features = dataset.featureCount
        let train = dataset.train
        if batchFeatures.count == 0 { allocateBatchBuffers() }
        let bytes = train.pixelBytes
        let isClassification = dataset.task != .regression
        batchFeatures.withUnsafeMutableBufferPointer { batch in
            if let bytes {
                bytes.withUnsafeBufferPointer { ScaledPixelRows.gather(rows: indices, from: $0, width: features, into: batch) }
                if isClassification {
                    batchLabels.withUnsafeMutableBufferPointer { train.gatherTargets(rows: indices, labels: $0) }
                } else {
                    batchValues.withUnsafeMutableBufferPointer { train.gatherTargets(rows: indices, values: $0) }
                }
            } else if isClassification {
                batchLabels.withUnsafeMutableBufferPointer { train.gather(rows: indices, featureCount: features, into: batch, labels: $0) }
            } else {
                batchValues.withUnsafeMutableBufferPointer { train.gather(rows: indices, featureCount: features, into: batch, values: $0) }
            }
        }
    }

    /// Mean loss and error over a whole split with the current parameters.
    public mutating func evaluate(_ split: Split) -> (loss: Double, error: Double) {
        guard split.count > 0 else { return (.nan, .nan) }
        let network = self.network
        let result = parameterStorage.withUnsafeBufferPointer { parameters in
            Self.withFeatures(of: split, pixelBytesWanted: network.readsBatchRowsInPlace) { features, pixelBytes in
                if !split.labels.isEmpty {
                    return split.labels.withUnsafeBufferPointer { labels in
                        network.evaluate(parameters: parameters, inputs: features, pixelBytes: pixelBytes, targets: .labels(labels),
                                         rows: split.count, workspace: &workspace)
                    }
                }
                return split.values.withUnsafeBufferPointer { values in
                    network.evaluate(parameters: parameters, inputs: features, pixelBytes: pixelBytes, targets: .values(values),
                                     rows: split.count, workspace: &workspace)
                }
            }
        }
        return (result.lossSum / Double(split.count), result.errors / Double(split.count))
    }

    /// The split's features and, when wanted and the features are bytes / 255, its pixel bytes.
    ///
    /// Only the single-layer kernel reads bytes; other networks never ask, so they never pay
    /// for deriving them.
    private static func withFeatures<R>(
        of split: Split, pixelBytesWanted: Bool, _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<UInt8>?) -> R
    ) -> R {
        split.features.withUnsafeBufferPointer { features in
            guard pixelBytesWanted, let pixelBytes = split.pixelBytes else { return body(features, nil) }
            return pixelBytes.withUnsafeBufferPointer { body(features, $0) }
        }
    }

    /// ‖w‖₂ over the weights, biases excluded.
    public var weightNorm: Double {
        parameterStorage.withUnsafeBufferPointer { p in
            weightRanges.reduce(0.0) { $0 + Kernels.sumOfSquares(UnsafeBufferPointer(rebasing: p[$1])) }.squareRoot()
        }
    }

    /// Whether every parameter is finite.
    public var parametersAreFinite: Bool {
        parameterStorage.withUnsafeBufferPointer { Kernels.allFinite($0) }
    }
}
