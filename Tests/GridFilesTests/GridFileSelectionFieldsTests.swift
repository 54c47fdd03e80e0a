import GridFiles
import Planning
import Models
import Training
import XCTest

/// The grid-file fields of validation-based selection and PyTorch's initialisation.
final class GridFileSelectionFieldsTests: XCTestCase {
    func testValidationSplitAndTorchInitAreGridFields() throws {
        let grid = try GridFile.parse(text: """
            name: selection
            dataset: {name: fashion-mnist, train_subset: 2000, validation_fraction: 0.1}
            model: {kind: mlp, hidden: [64], init: torch}
            optimizer: {kind: adam, lr: 1e-3}
            training: {epochs: 2}
            """, fileName: "grid.yaml")
        let configuration = try XCTUnwrap(grid.runs.first?.configuration)
        XCTAssertEqual(configuration.data.validationFraction, 0.1)
        XCTAssertNil(configuration.data.validationSize)
        XCTAssertEqual(configuration.model.initialization, .torch)
    }

    func testValidationSizeCanBeAnAxisWithNone() throws {
        let grid = try GridFile.parse(text: """
            name: sizes
            dataset: {name: synthetic-classification}
            model: {kind: softmax}
            optimizer: {kind: sgd, lr: 0.1}
            training: {epochs: 1}
            grid:
              validation_size: [none, 100]
            """, fileName: "grid.yaml")
        XCTAssertEqual(grid.runs.map(\.configuration.data.validationSize), [nil, 100])
        XCTAssertEqual(grid.runs.map { $0.label(on: "validation_size") }, ["none", "100"])
        XCTAssertNotEqual(grid.runs[0].key, grid.runs[1].key)
    }

    func testBadValidationSettingsAreReportedWhereTheyAre() {
        XCTAssertThrowsProblems("""
            name: bad
            dataset: {name: fashion-mnist, validation_fraction: 1, validation_size: 0}
            model: {kind: softmax}
            optimizer: {kind: sgd, lr: 0.1}
            training: {epochs: 1}
            """, [
            "grid.yaml:2:53: dataset.validation_fraction: expected a number in (0, 1), or 'none', found 1",
            "grid.yaml:2:73: dataset.validation_size: expected an integer > 0, or 'none', found 0",
        ])
        XCTAssertThrowsProblems("""
            name: both
            dataset: {name: fashion-mnist, validation_fraction: 0.1, validation_size: 500}
            model: {kind: softmax}
            optimizer: {kind: sgd, lr: 0.1}
            training: {epochs: 1}
            """, [
            "grid.yaml:2:75: dataset.validation_size: set validation_fraction or validation_size, not both",
        ])
    }

    func testAGridStoredBeforeTheValidationFieldsExistedStillResumes() throws {
        let grid = try GridFile.parse(text: GridFileTests.example, fileName: "grid.yaml")
        // Earlier builds wrote no validation keys; unset, the new fields are null.
        let stored = grid.canonicalText
            .replacingOccurrences(of: #","validation_fraction":null"#, with: "")
            .replacingOccurrences(of: #","validation_size":null"#, with: "")
        XCTAssertFalse(stored.contains("validation"), stored)
        XCTAssertNotEqual(stored, grid.canonicalText)
        XCTAssertEqual(grid.differences(fromStored: stored), [])
        // Set, a new field is a difference like any other.
        let validated = try GridFile.parse(
            text: GridFileTests.example.replacingOccurrences(of: "train_subset: 10000", with: "train_subset: 10000, validation_size: 500"),
            fileName: "grid.yaml")
        XCTAssertEqual(validated.differences(fromStored: stored), ["dataset.validation_size: absent in the stored grid, 500 now"])
    }
}
