import Datasets
import XCTest

final class BatchOrderTests: XCTestCase {
    func testEveryEpochIsAPermutationAndEpochsDiffer() {
        let order = BatchOrder(count: 100, batchSize: 8, seed: 42)
        let epochs = (0..<5).map { order.indices(epoch: $0) }
        for indices in epochs { XCTAssertEqual(indices.sorted(), Array(0..<100)) }
        XCTAssertEqual(Set(epochs).count, 5)
        XCTAssertNotEqual(epochs[0], Array(0..<100))
    }

    func testAnEpochDependsOnlyOnSeedAndEpoch() {
        let order = BatchOrder(count: 50, batchSize: 10, seed: 7)
        // Epoch 9 computed first, without epochs 0...8, then again after them.
        let direct = order.indices(epoch: 9)
        for epoch in 0..<9 { _ = order.indices(epoch: epoch) }
        XCTAssertEqual(BatchOrder(count: 50, batchSize: 10, seed: 7).indices(epoch: 9), direct)
        XCTAssertNotEqual(BatchOrder(count: 50, batchSize: 10, seed: 8).indices(epoch: 9), direct)
    }

    func testStepsAndLastBatch() {
        let order = BatchOrder(count: 22, batchSize: 8, seed: 0)
        XCTAssertEqual(order.stepsPerEpoch, 3)
        let batches = order.batches(epoch: 0)
        XCTAssertEqual(batches.map(\.count), [8, 8, 6])
        XCTAssertEqual(Array(batches.joined()), order.indices(epoch: 0))
        XCTAssertEqual(BatchOrder(count: 24, batchSize: 8, seed: 0).stepsPerEpoch, 3)
    }

    func testFullBatchIsOneStepInStoredOrder() {
        let order = BatchOrder(count: 22, batchSize: nil, seed: 3)
        XCTAssertEqual(order.stepsPerEpoch, 1)
        XCTAssertEqual(order.indices(epoch: 4), Array(0..<22))
        XCTAssertEqual(Array(order.batches(epoch: 4)[0]), Array(0..<22))
    }

    func testGatherCopiesRowsAndTargetsIntoPreallocatedBuffers() {
        let features: [Float] = [0, 1, 10, 11, 20, 21, 30, 31]
        let split = Split(features: features, labels: [5, 6, 7, 8])
        var batchFeatures = [Float](repeating: -1, count: 6)
        var batchLabels = [Int32](repeating: -1, count: 3)
        batchFeatures.withUnsafeMutableBufferPointer { x in
            batchLabels.withUnsafeMutableBufferPointer { y in
                split.gather(rows: [3, 0, 2][...], featureCount: 2, into: x, labels: y)
            }
        }
        XCTAssertEqual(batchFeatures, [30, 31, 0, 1, 20, 21])
        XCTAssertEqual(batchLabels, [8, 5, 7])

        let regression = Split(features: features, values: [0.5, 1.5, 2.5, 3.5])
        var values = [Float](repeating: -1, count: 3)
        batchFeatures.withUnsafeMutableBufferPointer { x in
            values.withUnsafeMutableBufferPointer { y in
                regression.gather(rows: [1][...], featureCount: 2, into: x, values: y)
            }
        }
        XCTAssertEqual(Array(batchFeatures.prefix(2)), [10, 11])
        XCTAssertEqual(values, [1.5, -1, -1])
    }
}
