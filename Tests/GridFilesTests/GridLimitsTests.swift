import Foundation
import GridFiles
import Planning
import Training
import XCTest

/// Grids too large to hold are refused while the file is read, before anything grows with
/// them; every size a run can ask for is checked at the line that wrote it.
final class GridLimitsTests: XCTestCase {
    /// A valid top level and sections, to which tests add blocks or a grid.
    static let header = """
        name: limits
        dataset: {name: synthetic-classification}
        model: {kind: softmax}
        optimizer: {kind: adam, lr: 0.001}
        training: {epochs: 1}

        """

    /// A grid with `axes` under `grid:`.
    static func grid(_ axes: String, sections: String = "", seeds: String = "[0]") -> String {
        header.dropLast() + "\n\(sections)\ngrid:\n\(axes)\nseeds: \(seeds)\n"
    }

    static func values(_ count: Int, scale: String = "e-7") -> String {
        "[" + (1...count).map { "\($0)\(scale)" }.joined(separator: ", ") + "]"
    }

    /// Twelve axes of ten values: 10¹² runs. Before the check, expansion grew to gigabytes
    /// and aborted; now it is one problem naming the axes.
    func testATrillionRunGridIsRefusedWithoutExpanding() {
        let tens = "[" + (11...20).map(String.init).joined(separator: ", ") + "]"
        let fractions = "[" + (0..<10).map { "0.\($0)" }.joined(separator: ", ") + "]"
        let axes = ["lambda", "epsilon", "noise", "features", "samples", "every", "warmup_steps", "t0", "blas_threads"]
            .map { "  \($0): \(tens)" } + ["beta1", "beta2", "momentum"].map { "  \($0): \(fractions)" }
        XCTAssertThrowsError(try GridFile.parse(text: Self.grid(axes.joined(separator: "\n")), fileName: "huge.yaml")) { error in
            let problems = (error as? GridFileError)?.problems ?? []
            XCTAssertEqual(problems.count, 1, "\(error)")
            let message = problems.first?.description ?? ""
            XCTAssertTrue(message.hasPrefix("huge.yaml:1:1: the grid expands into more than 10000000 runs"), message)
            XCTAssertTrue(message.contains("(lambda 10 × epsilon 10 × "), message)
            XCTAssertTrue(message.contains("split the grid"), message)
        }
    }

    func testMoreRunsThanTheLimitNeedForce() {
        // 400 × 251 = 100,400 runs: just above the limit of 100,000.
        let text = Self.grid("  lambda: \(Self.values(400))\n  lr: \(Self.values(251, scale: "e-5"))")
        XCTAssertThrowsError(try GridFile.parse(text: text, fileName: "big.yaml")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("the grid expands into 100400 runs (lambda 400 × lr 251 × seeds 1 values)"), message)
            XCTAssertTrue(message.contains("more than \(GridLimits.runs)") && message.contains("--force"), message)
        }
    }

    func testDependentAxesAndBlocksAreCountedExactly() throws {
        // (3 + 2) λ per penalty × 2 ε × 2 seeds = 20 runs in the first block; 1 in the second.
        let text = Self.header + """
            grid:
              penalty: [l2, decoupled]
              lambda: {l2: [0, 0.1, 0.2], decoupled: [0.3, 0.4]}
              epsilon: [1e-8, 1e-7]
            seeds: [0, 1]
            ---
            """ + "\n" + Self.header.replacingOccurrences(of: "adam, lr: 0.001", with: "sgd, lr: 0.5")
        XCTAssertEqual(try GridFile.parse(text: text, fileName: "counted.yaml").runs.count, 21)
    }

    func testSizesBeyondTheLimitsAreReportedAtTheirLine() {
        XCTAssertThrowsProblems(Self.grid("  lambda: [0]", sections: "regularization: {penalty: l2}")
                                    .replacingOccurrences(of: "synthetic-classification}", with: "synthetic-classification, classes: 1000000000}"), [
            "grid.yaml:2:52: dataset.classes: at most 65536, got 1000000000",
        ])
        XCTAssertThrowsProblems(Self.grid("  hidden: [[100000000000], [8]]").replacingOccurrences(of: "softmax", with: "mlp"), [
            "grid.yaml:8:12: model.hidden: widths above 65536 are not supported, got 100000000000",
        ])
        // Each width is allowed, but together they make a model of 3·10⁹ parameters.
        XCTAssertThrowsProblems(Self.grid("  hidden: [[60000, 50000]]").replacingOccurrences(of: "softmax", with: "mlp"), [
            "grid.yaml:8:12: model.hidden: the model would have 3001460003 parameters on 20 features and 3 outputs, more than 100000000",
        ])
        XCTAssertThrowsProblems(Self.grid("  samples: [100000, 1000000000]"), [
            "grid.yaml:8:21: dataset.samples: at most 100000000, got 1000000000",
        ])
    }

    func testResultArraysBeyondMemoryAreRefused() {
        // Four blocks, each varying its own field over 200 values: 800 runs, but the pooled
        // axes span 200 × 201³ ≈ 1.6·10⁹ cells (each block adds its default to the others' axes).
        let blocks = ["lr", "beta1", "beta2", "epsilon"].map { axis -> String in
            let values = (1...200).map { axis == "lr" || axis == "epsilon" ? "\($0)e-4" : "0.\(String(format: "%03d", $0))" }
            return "  - grid: {\(axis): [\(values.joined(separator: ", "))]}"
        }.joined(separator: "\n")
        let text = Self.header + "blocks:\n" + blocks
        XCTAssertThrowsError(try GridFile.parse(text: text, fileName: "cells.yaml")) { error in
            XCTAssertTrue("\(error)".contains("would have 1624120200 cells, more than \(GridLimits.cells)"), "\(error)")
        }
        // 300 runs of a million epochs: curves of 3·10⁸ values each.
        let long = Self.grid("  lambda: \(Self.values(300))").replacingOccurrences(of: "epochs: 1}", with: "epochs: 1000000}")
        XCTAssertThrowsError(try GridFile.parse(text: long, fileName: "long.yaml")) { error in
            XCTAssertTrue("\(error)".contains("300 runs of up to 1000000 epochs make curves of 300000000 values"), "\(error)")
        }
    }

    /// 20,000 values on one axis parse (the duplicate check was quadratic: 39 s in a release
    /// build); the time is measured by `Tests/Tools/grid_axis_benchmark.py`, not asserted here.
    func testAnAxisOfTwentyThousandValuesParses() throws {
        let grid = try GridFile.parse(text: Self.grid("  lambda: \(Self.values(20_000))"), fileName: "long.yaml")
        XCTAssertEqual(grid.runs.count, 20_000)
        XCTAssertEqual(grid.axes.first?.labels.count, 20_000)
    }
}
