import CCPUFeatures
import LinearKernels
import LinearKernelsAVX2
import Models
import TensorMath
import XCTest

/// The single-layer kernel (rows read where they lie, no sgemm) against the general
/// DenseNetwork path (rows gathered, sgemm): the same loss, gradient, trajectory and
/// evaluation up to the order of the sums; and its two builds (baseline, AVX2) to the bit.
final class SingleLayerKernelTests: XCTestCase {
    /// |kernel − general| ≤ tolerance·max(|general|, floor·scale): relative 1e-5, with a floor at
    /// a hundredth of the largest magnitude so that values near zero are not judged on digits
    /// Float32 does not have.
    static let relativeTolerance = 1e-5
    static let floor = 0.01
    /// For 784 inputs: each logit is a Float32 sum of 784 products of either sign, whose value
    /// is some thirty times smaller than the sum of their magnitudes; two summation orders then
    /// differ by a few 1e-5 relative (both are that far from the exact sum), and a gradient of
    /// a few rows inherits it through the deltas.
    static let wideTolerance = 1e-4

    /// A data set of `rowCount` rows and a network without a hidden layer.
    struct Problem {
        let network: DenseNetwork
        let matrix: [Float]
        let labels: [Int32]
        let values: [Float]
        var features: Int { network.architecture.inputCount }

        init(features: Int, outputs: Int, loss: Architecture.Loss, rowCount: Int, seed: UInt64) {
            var random = DeterministicRandom(seed: seed, stream: "single-layer-kernel")
            network = DenseNetwork(architecture: Architecture(inputs: features, hidden: [], outputs: outputs, activation: .relu, loss: loss))
            matrix = (0..<(rowCount * features)).map { _ in Float(random.nextNormal()) }
            labels = (0..<rowCount).map { _ in Int32(random.nextIndex(below: outputs)) }
            values = (0..<rowCount).map { _ in Float(random.nextNormal()) }
        }

        func initialParameters(seed: UInt64) -> [Float] {
            var random = DeterministicRandom(seed: seed, stream: "single-layer-parameters")
            return ParameterInitializer.parameters(for: network.architecture, scheme: .glorot, random: &random)
                .map { $0 + 0.1 * Float(random.nextNormal()) }  // non-zero biases too
        }

        var isClassification: Bool { network.architecture.loss == .softmaxCrossEntropy }

        /// Loss and gradient through the general path, on a contiguous copy of the batch's rows.
        func general(_ parameters: [Float], batch: [Int]) -> (loss: Double, gradient: [Float]) {
            let inputs = batch.flatMap { matrix[($0 * features)..<(($0 + 1) * features)] }
            let batchLabels = batch.map { labels[$0] }, batchValues = batch.map { values[$0] }
            var workspace = network.makeWorkspace(capacity: batch.count)
            var gradient = [Float](repeating: 0, count: parameters.count)
            let loss = parameters.withUnsafeBufferPointer { p in
                inputs.withUnsafeBufferPointer { x in
                    gradient.withUnsafeMutableBufferPointer { g in
                        withTargets(batchLabels, batchValues) { targets in
                            network.lossAndGradient(parameters: p, inputs: x, targets: targets, rows: batch.count,
                                                    gradient: g, workspace: &workspace)
                        }
                    }
                }
            }
            return (loss, gradient)
        }

        /// Loss and gradient through the single-layer kernel, reading the rows where they lie.
        func kernel(_ parameters: [Float], batch: [Int], workspaceCapacity: Int? = nil) -> (loss: Double, gradient: [Float]) {
            let batchLabels = batch.map { labels[$0] }, batchValues = batch.map { values[$0] }
            var workspace = network.makeWorkspace(capacity: workspaceCapacity ?? batch.count)
            var gradient = [Float](repeating: .nan, count: parameters.count)  // every value must be written
            let loss = parameters.withUnsafeBufferPointer { p in
                matrix.withUnsafeBufferPointer { m in
                    batch.withUnsafeBufferPointer { indices in
                        gradient.withUnsafeMutableBufferPointer { g in
                            withTargets(batchLabels, batchValues) { targets in
                                network.lossAndGradient(parameters: p, rows: BatchRows(selectedFrom: m, width: features, indices: indices),
                                                        targets: targets, gradient: g, workspace: &workspace)
                            }
                        }
                    }
                }
            }
            return (loss, gradient)
        }

        /// The summed loss and the error count of every row, through `evaluate` (the kernel for these networks).
        func evaluation(_ parameters: [Float], chunk: Int) -> (lossSum: Double, errors: Double) {
            var workspace = network.makeWorkspace(capacity: chunk)
            return parameters.withUnsafeBufferPointer { p in
                matrix.withUnsafeBufferPointer { x in
                    withTargets(labels, values) { targets in
                        network.evaluate(parameters: p, inputs: x, targets: targets, rows: labels.count, workspace: &workspace)
                    }
                }
            }
        }

        private func withTargets<R>(_ labels: [Int32], _ values: [Float], _ body: (BatchTargets) -> R) -> R {
            if isClassification { return labels.withUnsafeBufferPointer { body(.labels($0)) } }
            return values.withUnsafeBufferPointer { body(.values($0)) }
        }
    }

    static func problems() -> [(name: String, problem: Problem)] {
        [
            // 37 and 19 inputs leave a remainder after the 8-lane vectors; 784 is Fashion-MNIST's width.
            ("softmax 37-5", Problem(features: 37, outputs: 5, loss: .softmaxCrossEntropy, rowCount: 60, seed: 1)),
            ("softmax 784-10", Problem(features: 784, outputs: 10, loss: .softmaxCrossEntropy, rowCount: 40, seed: 2)),
            ("linear regression 19-1", Problem(features: 19, outputs: 1, loss: .meanSquaredError, rowCount: 60, seed: 3)),
            ("linear regression 3-1", Problem(features: 3, outputs: 1, loss: .meanSquaredError, rowCount: 60, seed: 4)),
        ]
    }

    /// A shuffled batch of `size` distinct rows of `problem`.
    static func shuffledBatch(_ problem: Problem, size: Int, seed: UInt64) -> [Int] {
        var random = DeterministicRandom(seed: seed, stream: "batch")
        return Array(random.permutation(of: problem.labels.count).prefix(size))
    }

    func assertClose(_ kernel: [Float], _ general: [Float], _ what: String, tolerance: Double = relativeTolerance,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(kernel.count, general.count, what, file: file, line: line)
        let scale = general.map { abs(Double($0)) }.max() ?? 0
        var worst = 0.0, worstIndex = 0
        for i in general.indices {
            let allowed = tolerance * max(abs(Double(general[i])), Self.floor * scale)
            let excess = abs(Double(kernel[i]) - Double(general[i])) / allowed
            if !(excess <= worst) { worst = excess; worstIndex = i }
        }
        XCTAssertLessThanOrEqual(worst, 1, "\(what): parameter \(worstIndex) kernel \(kernel[worstIndex]) general \(general[worstIndex])",
                                 file: file, line: line)
    }

    func assertClose(_ kernel: Double, _ general: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(kernel, general, accuracy: Self.relativeTolerance * max(abs(general), 1e-3), what, file: file, line: line)
    }

    func testLossAndGradientMatchTheGeneralPathOnShuffledBatchesOfEverySize() {
        for (name, problem) in Self.problems() {
            let parameters = problem.initialParameters(seed: 5)
            // 1–5 rows cover every way a block of four can be partial; 13 and 32 are several blocks.
            for size in [1, 2, 3, 4, 5, 13, 32] {
                let batch = Self.shuffledBatch(problem, size: size, seed: UInt64(size))
                if size >= 3 { XCTAssertNotEqual(batch, batch.sorted(), "\(name): the batch should not be in stored order") }
                let general = problem.general(parameters, batch: batch)
                let kernel = problem.kernel(parameters, batch: batch, workspaceCapacity: 32)
                assertClose(kernel.loss, general.loss, "\(name), \(size) rows: loss")
                assertClose(kernel.gradient, general.gradient, "\(name), \(size) rows: gradient",
                            tolerance: problem.features > 100 ? Self.wideTolerance : Self.relativeTolerance)
            }
        }
    }

    func testTrajectoryOverSeveralStepsMatchesTheGeneralPath() {
        for (name, problem) in Self.problems() {
            var kernelParameters = problem.initialParameters(seed: 6)
            var generalParameters = kernelParameters
            let learningRate: Float = 0.05
            // An epoch of shuffled batches of 16 with a partial last batch, twice over.
            let rowCount = problem.labels.count
            for epoch in 0..<2 {
                let order = Self.shuffledBatch(problem, size: rowCount, seed: 100 + UInt64(epoch))
                for start in stride(from: 0, to: rowCount, by: 16) {
                    let batch = Array(order[start..<min(start + 16, rowCount)])
                    let kernel = problem.kernel(kernelParameters, batch: batch, workspaceCapacity: 16)
                    let general = problem.general(generalParameters, batch: batch)
                    assertClose(kernel.loss, general.loss, "\(name), epoch \(epoch), batch at \(start): loss")
                    for i in kernelParameters.indices {
                        kernelParameters[i] -= learningRate * kernel.gradient[i]
                        generalParameters[i] -= learningRate * general.gradient[i]
                    }
                }
            }
            assertClose(kernelParameters, generalParameters, "\(name): parameters after 2 epochs")
            XCTAssertNotEqual(kernelParameters, problem.initialParameters(seed: 6), "\(name): the parameters should have moved")
        }
    }

    func testEvaluationMatchesTheGeneralPath() {
        for (name, problem) in Self.problems() {
            let parameters = problem.initialParameters(seed: 7)
            let rowCount = problem.labels.count
            let general = problem.general(parameters, batch: Array(0..<rowCount))
            let evaluation = problem.evaluation(parameters, chunk: 7)
            assertClose(evaluation.lossSum / Double(rowCount), general.loss, "\(name): mean loss")
            if problem.isClassification {
                // The misclassified rows, from logits computed in Double.
                let layout = problem.network.layout, features = problem.features
                let errors = (0..<rowCount).filter { row in
                    let logits = (0..<problem.network.architecture.outputCount).map { j -> Double in
                        (0..<features).reduce(Double(parameters[layout.entries[1].offset + j])) {
                            $0 + Double(parameters[j * features + $1]) * Double(problem.matrix[row * features + $1])
                        }
                    }
                    return logits.firstIndex(of: logits.max()!)! != Int(problem.labels[row])
                }.count
                XCTAssertGreaterThan(errors, 0, "\(name): random parameters should misclassify some rows")
                XCTAssertEqual(evaluation.errors, Double(errors), "\(name): errors")
            } else {
                XCTAssertEqual(evaluation.errors, evaluation.lossSum, "\(name): regression errors are the squared error")
            }
        }
    }

    func testTheAVX2BuildGivesTheBaselineBuildsBits() throws {
        try XCTSkipUnless(ccpufeatures_runs_haswell_builds(), "this processor has no AVX2; only the baseline build runs here")
        for (inputs, outputs) in [(784, 10), (37, 5), (3, 1)] {
            var random = DeterministicRandom(seed: UInt64(inputs), stream: "avx2-bits")
            func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(random.nextNormal()) } }
            let rows = values(4 * inputs), weights = values(outputs * inputs), bias = values(outputs), deltas = values(4 * outputs)
            var baselineLogits = [Float](repeating: 0, count: 4 * outputs), avx2Logits = baselineLogits
            var baselineGradient = values(outputs * inputs)
            var avx2Gradient = baselineGradient
            rows.withUnsafeBufferPointer { x in
                let p = x.baseAddress!
                let baseline = LinearKernels.SingleLayerKernel(inputs: inputs, outputs: outputs)
                let avx2 = LinearKernelsAVX2.SingleLayerKernel(inputs: inputs, outputs: outputs)
                baseline.logits(.init(p, p + inputs, p + 2 * inputs, p + 3 * inputs), weights: weights, bias: bias, into: &baselineLogits)
                avx2.logits(.init(p, p + inputs, p + 2 * inputs, p + 3 * inputs), weights: weights, bias: bias, into: &avx2Logits)
                baseline.accumulateWeightGradient(.init(p, p + inputs, p + 2 * inputs, p + 3 * inputs), deltas: deltas, into: &baselineGradient)
                avx2.accumulateWeightGradient(.init(p, p + inputs, p + 2 * inputs, p + 3 * inputs), deltas: deltas, into: &avx2Gradient)
            }
            XCTAssertEqual(avx2Logits.map(\.bitPattern), baselineLogits.map(\.bitPattern), "\(inputs)-\(outputs): logits")
            XCTAssertEqual(avx2Gradient.map(\.bitPattern), baselineGradient.map(\.bitPattern), "\(inputs)-\(outputs): gradient")
        }
    }

    func testANaNInputRowMakesTheLossAndEvaluationNaN() {
        for (name, clean) in Self.problems() {
            var matrix = clean.matrix
            let poisoned = 9
            matrix[poisoned * clean.features + clean.features - 1] = .nan  // the last feature: the scalar remainder or a vector lane
            let problem = Problem(network: clean.network, matrix: matrix, labels: clean.labels, values: clean.values)
            let parameters = problem.initialParameters(seed: 8)
            var batch = Self.shuffledBatch(problem, size: 13, seed: 9).filter { $0 != poisoned }
            XCTAssertTrue(problem.kernel(parameters, batch: batch).loss.isFinite, "\(name): a batch without the NaN row")
            batch.insert(poisoned, at: 5)
            let kernel = problem.kernel(parameters, batch: batch)
            XCTAssertTrue(kernel.loss.isNaN, "\(name): loss \(kernel.loss) of a batch holding a NaN row")
            XCTAssertTrue(kernel.gradient.contains { $0.isNaN }, "\(name): the gradient should carry the NaN")
            XCTAssertTrue(problem.evaluation(parameters, chunk: 8).lossSum.isNaN, "\(name): evaluation over the NaN row")
        }
    }

    func testConsecutiveRowsReadTheSameAsTheirIndices() {
        let problem = Self.problems()[0].problem
        let parameters = problem.initialParameters(seed: 10)
        var workspace = problem.network.makeWorkspace(capacity: 11)
        var gradient = [Float](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            problem.matrix.withUnsafeBufferPointer { m in
                gradient.withUnsafeMutableBufferPointer { g in
                    problem.labels.withUnsafeBufferPointer { labels in
                        problem.network.lossAndGradient(
                            parameters: p, rows: BatchRows(consecutiveIn: m, width: problem.features, first: 20, count: 11),
                            targets: .labels(UnsafeBufferPointer(rebasing: labels[20..<31])), gradient: g, workspace: &workspace)
                    }
                }
            }
        }
        let indexed = problem.kernel(parameters, batch: Array(20..<31))
        XCTAssertEqual(loss.bitPattern, indexed.loss.bitPattern)
        XCTAssertEqual(gradient.map(\.bitPattern), indexed.gradient.map(\.bitPattern))
    }
}

extension SingleLayerKernelTests.Problem {
    init(network: DenseNetwork, matrix: [Float], labels: [Int32], values: [Float]) {
        self.network = network
        self.matrix = matrix
        self.labels = labels
        self.values = values
    }
}
