import Datasets
import Models
@testable import Optimization
import TensorMath
import Training
import XCTest

/// A session's steps against the plainest way to take them: a gradient into a buffer that
/// sgemm clears (β = 0), then the chain one stage at a time. The session instead adds each
/// gradient onto the zeros its previous step's single Adam loop left (β = 1); the parameters
/// must agree to the last bit at every step, including after a step that a NaN loss skipped,
/// which leaves the gradient in the buffer (the next must be cleared again).
final class TrainingSessionStepTests: XCTestCase {
    func testStepsAgreeBitForBitWithClearedGradientsAndTheStageByStageChain() throws {
        let clean = TestData.classification(count: 60, features: 5, seed: 2)
        var features = clean.train.features
        let poisoned = 23
        features[poisoned * 5 + 2] = .nan
        let dataset = Dataset(name: clean.name, featureCount: 5, task: clean.task,
                              train: Split(features: features, labels: clean.train.labels), test: clean.test)
        for regularization in [RegularizationSpec(penalty: .decoupled, lambda: 0.05),
                               RegularizationSpec(penalty: .l2, lambda: 1e-3),
                               RegularizationSpec(penalty: .l1, lambda: 1e-3)] {
            let configuration = RunConfiguration(
                data: DataSpec(source: .syntheticClassification),
                model: ModelSpec(kind: .mlp, hidden: [8, 7], activation: .relu, initialization: .glorot),
                optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01), regularization: regularization,
                schedule: ScheduleSpec(), training: TrainingSpec(epochs: 2, batchSize: 8, seed: 4))
            var session = try TrainingSession(configuration: configuration, dataset: dataset)
            var reference = session.chain
            reference.fusionEnabled = false
            let network = session.network
            var parameters = session.parameters
            var state = reference.makeState(parameterCount: parameters.count)
            var workspace = network.makeWorkspace(capacity: session.batchSize)
            var skipped = 0
            for epoch in 0..<2 {
                for batch in session.batchOrder.batches(epoch: epoch) {
                    let step = session.step
                    let loss = session.step(on: batch)
                    // The reference step, from a gradient buffer full of NaN that β = 0 must ignore.
                    let rows = batch.flatMap { features[($0 * 5)..<($0 * 5 + 5)] }
                    let labels = batch.map { dataset.train.labels[$0] }
                    var gradient = [Float](repeating: .nan, count: parameters.count)
                    let referenceLoss = parameters.withUnsafeBufferPointer { p in
                        rows.withUnsafeBufferPointer { x in
                            labels.withUnsafeBufferPointer { y in
                                gradient.withUnsafeMutableBufferPointer { g in
                                    network.lossAndGradient(parameters: p, inputs: x, targets: .labels(y), rows: batch.count,
                                                            gradient: g, workspace: &workspace)
                                }
                            }
                        }
                    }
                    XCTAssertEqual(loss.bitPattern, referenceLoss.bitPattern, "loss at step \(step)")
                    if referenceLoss.isFinite {
                        parameters.withUnsafeMutableBufferPointer { p in
                            gradient.withUnsafeMutableBufferPointer { g in
                                reference.apply(parameters: p, gradient: g, state: &state,
                                                context: StepContext(multiplier: session.schedule.multiplier(atStep: step),
                                                                     lambda: session.lambda(atStep: step)))
                            }
                        }
                    } else {
                        skipped += 1
                    }
                    XCTAssertEqual(session.parameters.map(\.bitPattern), parameters.map(\.bitPattern),
                                   "\(regularization.penalty) parameters after step \(step)")
                }
            }
            XCTAssertEqual(skipped, 2, "the poisoned row is read once an epoch")
            XCTAssertTrue(parameters.allSatisfy(\.isFinite))
        }
    }

    /// Shuffled batches of an MLP on pixel data are copied from the split's pixel bytes, scaled,
    /// with the next batch's rows prefetched during the update: the loss and parameters at every
    /// step must be those of a reference that copies the Float32 rows and steps alone, for
    /// classification and for regression.
    func testBatchesCopiedFromPixelBytesWithTheNextPrefetchedAgreeBitForBit() throws {
        let features = 37  // not a multiple of the eight lanes: the scalar tail runs too
        var random = DeterministicRandom(seed: 11, stream: "pixel-session")
        let bytes = (0..<(90 * features)).map { _ in random.nextIndex(below: 3) == 0 ? UInt8(0) : UInt8(random.nextIndex(below: 256)) }
        let labels = (0..<90).map { Int32($0 % 4) }
        let values = (0..<90).map { Float($0 % 7) - 3 }
        for isClassification in [true, false] {
            let pixels = bytes.map { Float($0) / 255 }
            let train = isClassification ? Split(features: pixels, labels: labels) : Split(features: pixels, values: values)
            XCTAssertEqual(train.pixelBytes, bytes, "the split must offer its pixel bytes, or this tests the other path")
            let dataset = Dataset(name: "pixels", featureCount: features,
                                  task: isClassification ? .classification(classes: 4) : .regression, train: train,
                                  test: isClassification ? Split(features: [], labels: []) : Split(features: [], values: []))
            let configuration = RunConfiguration(
                data: DataSpec(source: isClassification ? .syntheticClassification : .syntheticRegression),
                model: ModelSpec(kind: .mlp, hidden: [9], activation: .relu, initialization: .glorot),
                optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01), regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.05),
                schedule: ScheduleSpec(), training: TrainingSpec(epochs: 2, batchSize: 16, seed: 4))
            var session = try TrainingSession(configuration: configuration, dataset: dataset)
            let network = session.network, chain = session.chain
            var parameters = session.parameters
            var state = chain.makeState(parameterCount: parameters.count)
            var workspace = network.makeWorkspace(capacity: session.batchSize)
            for epoch in 0..<2 {
                let batches = session.batchOrder.batches(epoch: epoch)
                for index in batches.indices {
                    let batch = batches[index], step = session.step
                    let loss = session.step(on: batch, upcoming: index + 1 < batches.endIndex ? batches[index + 1] : nil)
                    let rows = batch.flatMap { pixels[($0 * features)..<($0 * features + features)] }
                    let batchLabels = batch.map { labels[$0] }, batchValues = batch.map { values[$0] }
                    var gradient = [Float](repeating: 0, count: parameters.count)
                    let referenceLoss = parameters.withUnsafeBufferPointer { p in
                        rows.withUnsafeBufferPointer { x in
                            batchLabels.withUnsafeBufferPointer { y in
                                batchValues.withUnsafeBufferPointer { v in
                                    gradient.withUnsafeMutableBufferPointer { g in
                                        network.lossAndGradient(parameters: p, inputs: x, targets: isClassification ? .labels(y) : .values(v),
                                                                rows: batch.count, gradient: g, workspace: &workspace)
                                    }
                                }
                            }
                        }
                    }
                    let task = isClassification ? "classification" : "regression"
                    XCTAssertEqual(loss.bitPattern, referenceLoss.bitPattern, "\(task): loss at step \(step)")
                    parameters.withUnsafeMutableBufferPointer { p in
                        gradient.withUnsafeMutableBufferPointer { g in
                            chain.apply(parameters: p, gradient: g, state: &state,
                                        context: StepContext(multiplier: session.schedule.multiplier(atStep: step),
                                                             lambda: session.lambda(atStep: step)))
                        }
                    }
                    let trained = session.parameters  // a copy each time it is read
                    let differing = parameters.indices.first { trained[$0].bitPattern != parameters[$0].bitPattern }
                    XCTAssertNil(differing, "\(task): parameter \(differing ?? -1) differs after step \(step)")
                }
            }
        }
    }
}
