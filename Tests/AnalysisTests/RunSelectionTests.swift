import Analysis
import Datasets
import Models
import Optimization
import Planning
import Training
import XCTest

final class RunSelectionTests: XCTestCase {
    func run(optimizer: OptimizerSpec.Kind, lr: Double, coordinates: [PlannedRun.Coordinate]) -> PlannedRun {
        PlannedRun(index: 0, block: 0, coordinates: coordinates, configuration: RunConfiguration(
            data: DataSpec(source: .syntheticClassification), model: ModelSpec(kind: .softmax),
            optimizer: OptimizerSpec(kind: optimizer, learningRate: lr), regularization: RegularizationSpec(penalty: .decoupled, lambda: 0.1),
            schedule: ScheduleSpec(), training: TrainingSpec(epochs: 1)))
    }

    func testTermsMatchLabelsAndNumbersAsNumbers() throws {
        let adam = run(optimizer: .adam, lr: 0.001, coordinates: [.init(axis: "lr", label: "0.001"), .init(axis: "hidden", label: "[8]")])
        let sgd = run(optimizer: .sgd, lr: 0.1, coordinates: [.init(axis: "lr", label: "0.1"), .init(axis: "hidden", label: "[8]")])
        let selection = try RunSelection("optimizer=adam, lr=1e-3")
        XCTAssertTrue(selection.matches(adam))
        XCTAssertFalse(selection.matches(sgd))
        XCTAssertTrue(try RunSelection("hidden=[8],penalty=decoupled").matches(sgd), "grid axes and the labels every run has")
        XCTAssertTrue(try RunSelection("").matches(sgd))
        XCTAssertEqual(try RunSelection("width=3").unknownAxes(in: [adam, sgd]), ["width"])
    }

    func testATermWithoutAValueIsNamed() {
        XCTAssertThrowsError(try RunSelection("optimizer=adam,penalty")) { error in
            XCTAssertTrue("\(error)".contains("'penalty' is not axis=value"), "\(error)")
        }
    }
}
