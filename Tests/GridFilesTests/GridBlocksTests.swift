import GridFiles
import Planning
import XCTest

/// Pooling the runs of several blocks: `blocks:` lists and YAML document streams.
final class GridBlocksTests: XCTestCase {
    func testBlocksListInheritsTopLevelAndPoolsRuns() throws {
        let grid = try GridFile.parse(text: """
            name: pooled
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam}
            training: {epochs: 5, batch_size: 64}
            seeds: [0, 1]
            blocks:
              - grid: {lr: [0.1, 0.01]}
              - training: {epochs: 10}
                grid: {lr: [0.01]}
                seeds: [3]
            """, fileName: "pooled.yaml")
        XCTAssertEqual(grid.runs.map(\.block), [0, 0, 0, 0, 1])
        XCTAssertEqual(grid.runs.map(\.configuration.training.epochs), [5, 5, 5, 5, 10])
        XCTAssertEqual(grid.runs.map(\.configuration.training.batchSize), [64, 64, 64, 64, 64], "fields merge one by one")
        XCTAssertEqual(grid.runs.map(\.configuration.training.seed), [0, 1, 0, 1, 3])
        // epochs differs between blocks without being an axis, so it becomes one.
        XCTAssertEqual(grid.axes, [GridPlan.Axis(name: "lr", labels: ["0.01", "0.1"], values: [0.01, 0.1]),
                                   GridPlan.Axis(name: "epochs", labels: ["5", "10"], values: [5, 10]),
                                   GridPlan.Axis(name: "seed", labels: ["0", "1", "3"], values: [0, 1, 3])])
        // Row-major cells of the 2 × 2 × 3 arrays: (lr 0.1, epochs 5, seed 0) is 1·6 + 0·3 + 0.
        XCTAssertEqual(grid.runs.map { grid.cellIndex(of: $0) }, [6, 7, 0, 1, 5])
    }

    func testBlockSettingAFieldReplacesTheTopLevelAxis() throws {
        let grid = try GridFile.parse(text: """
            name: schedules
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: sgd, lr: 0.1}
            training: {epochs: 5}
            grid:
              schedule: [constant, cosine]
            blocks:
              - {}
              - schedule: {kind: step, every: 2}
            """, fileName: "schedules.yaml")
        XCTAssertEqual(grid.runs.map { $0.label(on: "schedule")! }, ["constant", "cosine", "step(every=2)"])
        XCTAssertEqual(grid.runs[2].configuration.schedule.every, 2)
    }

    func testDocumentStreamPoolsIndependentDocuments() throws {
        let grid = try GridFile.parse(text: """
            name: two-models
            dataset: {name: fashion-mnist}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.001}
            training: {epochs: 2}
            ---
            dataset: {name: fashion-mnist}
            model: {kind: mlp, hidden: [128]}
            optimizer: {kind: adam, lr: 0.001}
            training: {epochs: 2}
            grid:
              penalty: [l2, decoupled]
            """, fileName: "stream.yaml")
        XCTAssertEqual(grid.runs.count, 3)
        XCTAssertEqual(grid.runs.map(\.block), [0, 1, 1])
        XCTAssertEqual(grid.axes.map(\.name), ["penalty", "model", "hidden", "seed"])
        XCTAssertEqual(grid.runs[0].label(on: "penalty"), "none", "a block without the axis shows its fixed value")
        XCTAssertEqual(grid.axes[0].labels, ["none", "l2", "decoupled"])
        XCTAssertEqual(grid.axes[2].labels, ["[]", "[128]"])
    }

    func testDuplicateRunsAcrossBlocksNameBothBlocks() {
        XCTAssertThrowsProblems("""
            name: pooled
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam}
            training: {epochs: 5}
            blocks:
              - grid: {lr: [0.1, 0.01]}
              - grid: {lr: [0.01, 0.001]}
            """, [
            "pooled.yaml:8:5: blocks[1]: 1 run(s) of block 2 repeat runs of block 1 (line 7), e.g. lr=0.01, seed=0",
        ], fileName: "pooled.yaml")
    }

    func testDuplicateRunsAcrossDocuments() {
        let document = """
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.1}
            training: {epochs: 5}
            """
        XCTAssertThrowsProblems("name: twice\n\(document)\n---\n# same again\n\(document)\n", [
            "twice.yaml:8:1: 1 run(s) of block 2 repeat runs of block 1 (line 1), e.g. seed=0",
        ], fileName: "twice.yaml")
    }

    func testFileSettingsBelongToTheTopOfTheFirstDocument() {
        XCTAssertThrowsProblems("""
            name: first
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.1}
            training: {epochs: 5}
            blocks:
              - name: inner
                store: {params: final}
            ---
            name: second
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.2}
            training: {epochs: 5}
            """, [
            "grid.yaml:7:5: blocks[0].name: 'name' belongs at the top level, not in a block",
            "grid.yaml:8:5: blocks[0].store: 'store' belongs at the top level, not in a block",
            "grid.yaml:10:7: name: name is 'second' here but 'first' in the first document; a file has one name",
        ])
    }
}

/// Asserts that parsing `text` fails with exactly `expected` problems, in file order.
func XCTAssertThrowsProblems(_ text: String, _ expected: [String], fileName: String = "grid.yaml",
                             file: StaticString = #filePath, line: UInt = #line) {
    do {
        let grid = try GridFile.parse(text: text, fileName: fileName)
        XCTFail("expected problems, parsed \(grid.runs.count) runs", file: file, line: line)
    } catch let error as GridFileError {
        XCTAssertEqual(error.problems.map(\.description), expected, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
