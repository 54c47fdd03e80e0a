import Datasets
import Models
import Optimization
import Training
import XCTest

/// The paper's claim 1, exactly: for plain SGD an L2 penalty and decoupled decay are the
/// same update under the right rescaling of λ; for Adam they are not.
final class EquivalenceTests: XCTestCase {
    func configuration(_ optimizer: OptimizerSpec.Kind, lr: Double, _ regularization: RegularizationSpec,
                       schedule: ScheduleSpec = ScheduleSpec(kind: .cosine), epochs: Int = 5) -> RunConfiguration {
        RunConfiguration(
            data: DataSpec(source: .syntheticClassification),
            model: ModelSpec(kind: .mlp, hidden: [8], activation: .tanh, initialization: .glorot),
            optimizer: OptimizerSpec(kind: optimizer, learningRate: lr),
            regularization: regularization, schedule: schedule,
            training: TrainingSpec(epochs: epochs, batchSize: 10, seed: 3))
    }

    func finalParameters(_ configuration: RunConfiguration, _ dataset: Dataset) -> [Float] {
        let result = Trainer.run(configuration, on: dataset)
        XCTAssertEqual(result.status, .finished, result.message ?? "")
        return result.parameters
    }

    func maximumRelativeDifference(_ a: [Float], _ b: [Float]) -> Double {
        let scale = a.map { abs(Double($0)) }.max()!
        return zip(a, b).map { abs(Double($0) - Double($1)) }.max()! / scale
    }

    func testSGDL2EqualsDecoupledDecayUnderRescaling() {
        let dataset = TestData.classification(count: 60, features: 4, seed: 1)
        let α = 0.1, λ = 0.05
        let l2 = finalParameters(configuration(.sgd, lr: α, RegularizationSpec(penalty: .l2, lambda: λ)), dataset)
        // Paper convention: λ_decoupled = α·λ_L2.
        let paper = finalParameters(configuration(.sgd, lr: α, RegularizationSpec(penalty: .decoupled, lambda: α * λ, decayConvention: .paper)), dataset)
        // PyTorch convention: the same λ.
        let torch = finalParameters(configuration(.sgd, lr: α, RegularizationSpec(penalty: .decoupled, lambda: λ, decayConvention: .torch)), dataset)
        XCTAssertLessThan(maximumRelativeDifference(l2, paper), 1e-6)
        XCTAssertLessThan(maximumRelativeDifference(l2, torch), 1e-6)
        // And the penalty does something: without it the weights differ.
        let none = finalParameters(configuration(.sgd, lr: α, RegularizationSpec()), dataset)
        XCTAssertGreaterThan(maximumRelativeDifference(l2, none), 1e-3)
    }

    func testSGDWithMomentumL2DiffersFromDecoupled() {
        let dataset = TestData.classification(count: 60, features: 4, seed: 1)
        let l2 = finalParameters(configuration(.sgdMomentum, lr: 0.05, RegularizationSpec(penalty: .l2, lambda: 0.05)), dataset)
        let decoupled = finalParameters(configuration(.sgdMomentum, lr: 0.05, RegularizationSpec(penalty: .decoupled, lambda: 0.05)), dataset)
        XCTAssertGreaterThan(maximumRelativeDifference(l2, decoupled), 1e-4)
    }

    func testAdamL2AndDecoupledDecayDiffer() {
        let dataset = TestData.classification(count: 60, features: 4, seed: 1)
        let α = 0.01
        let l2 = finalParameters(configuration(.adam, lr: α, RegularizationSpec(penalty: .l2, lambda: 0.1)), dataset)
        for λ in [0.1, α * 0.1, 0.1 / α] {
            let decoupled = finalParameters(configuration(.adam, lr: α, RegularizationSpec(penalty: .decoupled, lambda: λ, decayConvention: .paper)), dataset)
            XCTAssertGreaterThan(maximumRelativeDifference(l2, decoupled), 1e-3, "λ = \(λ)")
        }
    }

    /// Full-batch gradient descent on ridge regression converges to the closed form
    /// (2/n·XᵀX + λI)w + 2/n·Xᵀ1·b = 2/n·Xᵀy, 1ᵀX·w + n·b = 1ᵀy (bias unpenalised).
    func testFullBatchGradientDescentReachesClosedFormRidge() {
        let n = 50, d = 4, λ = 0.3
        let dataset = TestData.regression(count: n, features: d, noise: 0.5, seed: 2)
        let config = RunConfiguration(
            data: DataSpec(source: .syntheticRegression), model: ModelSpec(kind: .linear, initialization: .zeros),
            optimizer: OptimizerSpec(kind: .sgd, learningRate: 0.1),
            regularization: RegularizationSpec(penalty: .l2, lambda: λ), schedule: ScheduleSpec(kind: .constant),
            training: TrainingSpec(epochs: 2000, batchSize: nil, seed: 0))
        let result = Trainer.run(config, on: dataset)
        XCTAssertEqual(result.status, .finished)

        // Normal equations in Double, unknowns (w, b).
        let x = dataset.train.features.map(Double.init), y = dataset.train.values.map(Double.init)
        var a = [[Double]](repeating: [Double](repeating: 0, count: d + 2), count: d + 1)
        for row in 0..<n {
            let features = (0..<d).map { x[row * d + $0] } + [1]
            for i in 0...d {
                for j in 0...d { a[i][j] += 2 / Double(n) * features[i] * features[j] }
                a[i][d + 1] += 2 / Double(n) * features[i] * y[row]
            }
        }
        for i in 0..<d { a[i][i] += λ }
        let solution = Self.solve(a)
        // Float32 gradient descent stalls where its gradient rounds away: about 1e-6 relative.
        for i in 0..<d {
            XCTAssertEqual(Double(result.parameters[i]), solution[i], accuracy: 1e-5 * max(1, abs(solution[i])), "w[\(i)]")
        }
        XCTAssertEqual(Double(result.parameters[d]), solution[d], accuracy: 1e-5, "bias")
    }

    /// Gaussian elimination with partial pivoting on an augmented matrix.
    static func solve(_ augmented: [[Double]]) -> [Double] {
        var a = augmented
        let n = a.count
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = a[row][column] / a[column][column]
                for k in column...n { a[row][k] -= factor * a[column][k] }
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = a[row][n]
            for k in (row + 1)..<n { sum -= a[row][k] * x[k] }
            x[row] = sum / a[row][row]
        }
        return x
    }
}
