import GridFiles
import Planning
import Optimization
import Training
import XCTest

/// `adamw` and `sgdw` in grid files: shorthand for an optimizer with penalty `decoupled`,
/// expanding to exactly the runs (and keys) the long form gives.
final class GridShorthandTests: XCTestCase {
    static let header = """
        name: shorthand
        dataset: {name: synthetic-classification}
        model: {kind: softmax}
        optimizer: {lr: 0.01}
        training: {epochs: 1}
        """

    func testShorthandsExpandToTheLongFormAndKeepTheirKeys() throws {
        let short = try GridFile.parse(text: Self.header + """

            grid:
              optimizer: [adamw, sgdw]
              lambda: [0.001, 0.01]
            """, fileName: "short.yaml")
        let long = try GridFile.parse(text: Self.header + """

            regularization: {penalty: decoupled}
            grid:
              optimizer: [adam, sgd-momentum]
              lambda: [0.001, 0.01]
            """, fileName: "long.yaml")
        XCTAssertEqual(short.runs.map(\.key), long.runs.map(\.key))
        XCTAssertEqual(short.runs.map(\.configuration), long.runs.map(\.configuration))
        XCTAssertEqual(short.runs.map(\.configuration.optimizer.kind), [.adam, .adam, .sgdMomentum, .sgdMomentum])
        XCTAssertTrue(short.runs.allSatisfy { $0.configuration.regularization.penalty == .decoupled })
        // Labels and the canonical form keep the name as written, so resuming notices a change.
        XCTAssertEqual(short.axes.first?.labels, ["adamw", "sgdw"])
        XCTAssertFalse(short.differences(fromStored: long.canonicalText).isEmpty)
    }

    func testAnExplicitDecoupledPenaltyAgrees() throws {
        let grid = try GridFile.parse(text: Self.header + """

            regularization: {penalty: decoupled, lambda: 0.01}
            grid:
              optimizer: [adamw, sgd-momentum]
            """, fileName: "agree.yaml")
        XCTAssertEqual(grid.runs.map(\.configuration.regularization.penalty), [.decoupled, .decoupled])
        XCTAssertEqual(grid.runs.map(\.configuration.optimizer.kind), [.adam, .sgdMomentum])
    }

    /// A long form and its shorthand in one grid are the same run twice: reported as such.
    func testAShorthandBesideItsLongFormRepeatsARun() {
        XCTAssertThrowsError(try GridFile.parse(text: Self.header + """

            regularization: {penalty: decoupled, lambda: 0.01}
            grid:
              optimizer: [adamw, adam]
            """, fileName: "twice.yaml")) { error in
            XCTAssertTrue("\(error)".contains("repeat other runs of this block"), "\(error)")
        }
    }

    func testAnotherPenaltyBesideAShorthandIsAnError() {
        XCTAssertThrowsProblems(Self.header.replacingOccurrences(of: "optimizer: {lr: 0.01}", with: "optimizer: {kind: adamw, lr: 0.01}") + """

            grid:
              penalty: [l2, decoupled]
              lambda: [0.01]
            """, [
            "grid.yaml:4:19: optimizer.kind: 'adamw' means adam with penalty decoupled, which contradicts penalty 'l2'; "
                + "for adam with penalty 'l2' name the optimizer 'adam'",
        ])
    }
}
