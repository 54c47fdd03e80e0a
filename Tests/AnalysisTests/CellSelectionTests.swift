@testable import Analysis
import Datasets
import Models
import Optimization
import Planning
import Results
import Training
import XCTest

/// How the best cell is chosen when errors tie: they come in steps of one image, so cells
/// where λ matters less than that tie exactly, and the grid's order alone chose λ*.
final class CellSelectionTests: XCTestCase {
    /// A cell of three seeds with final test error `error` and test loss `loss` (no validation split).
    func cell(lambda: Double, error: Double, loss: Double) -> Cell {
        let records = (0..<3).map { seed -> RunRecord in
            let configuration = RunConfiguration(
                data: DataSpec(source: .syntheticClassification), model: ModelSpec(kind: .softmax),
                optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01),
                regularization: RegularizationSpec(penalty: .decoupled, lambda: lambda), schedule: ScheduleSpec(),
                training: TrainingSpec(epochs: 1, seed: UInt64(seed)))
            let run = PlannedRun(index: seed, block: 0, coordinates: [], configuration: configuration)
            let epoch = EpochRecord(epoch: 1, multiplier: 1, trainLoss: 0.1, testLoss: loss, trainError: 0.05,
                                    testError: error, weightNorm: 1, seconds: 0.1)
            return RunRecord(run: run, status: .finished, message: "", epochs: [epoch], parameters: [], effectiveLambda: lambda, seconds: 1)
        }
        return Cell.cells(of: records)[0]
    }

    func testTiedErrorsAreBrokenByTheLossWhicheverWayTheGridListsThem() {
        let cells = [cell(lambda: 1e-9, error: 0.2, loss: 0.51), cell(lambda: 1e-8, error: 0.2, loss: 0.50),
                     cell(lambda: 1e-7, error: 0.2, loss: 0.52)]
        for order in [cells, Array(cells.reversed())] {
            XCTAssertEqual(CellSelection.best(order, on: [0, 1, 2])?.lambda, 1e-8)
        }
        // The error still decides first.
        let lower = cells + [cell(lambda: 1e-6, error: 0.1995, loss: 0.9)]
        XCTAssertEqual(CellSelection.best(lower, on: [0, 1, 2])?.lambda, 1e-6)
        // Equal in error and loss: the earlier cell, as before.
        let same = [cell(lambda: 1e-5, error: 0.2, loss: 0.5), cell(lambda: 1e-4, error: 0.2, loss: 0.5)]
        XCTAssertEqual(CellSelection.best(same, on: [0, 1, 2])?.lambda, 1e-5)
    }
}
