import Foundation
import FuzzSupport
import GridFiles
import Planning
import XCTest

/// Thousands of mutated grid files, the same ones on every run: each must parse into a grid
/// or fail with a `GridFileError` listing its problems, never crash or hang.
///
/// A failing case is reproduced from its index alone: `Mutator.mutate(seeds, seed: 5, index:)`.
final class GridFileFuzzTests: XCTestCase {
    static let seeds = [
        """
        name: fuzz-1
        description: dependent axes and schedule entries
        dataset: {name: synthetic-classification, samples: 200, features: 4, classes: 3}
        model: {kind: mlp, hidden: [8], activation: tanh}
        optimizer: {kind: adam}
        training: {epochs: 2, batch_size: 32}
        grid:
          penalty: [l2, decoupled]
          lambda:
            l2: [0, 1e-4]
            decoupled: [1e-3]
          lr: [0.01, 3e-3]
          schedule: [constant, {warm-restarts: {t0: 5, t_mult: 2}}]
        seeds: [0, 1]
        """,
        """
        name: fuzz-2
        dataset: {name: synthetic-regression}
        model: {kind: linear, init: zeros}
        optimizer: {kind: sgd, lr: 0.1}
        regularization: {penalty: decoupled, decay_convention: paper, normalized: true}
        training: {epochs: 3, batch_size: full}
        store: {params: final}
        blocks:
          - grid: {optimizer: [sgdw, adamw], lambda: [0.01, 0.1]}
          - optimizer: {kind: sgd-nesterov, momentum: 0.8}
            grid: {lambda: [0.05]}
        """,
        """
        name: fuzz-3
        dataset: &data {name: csv, path: /data.csv, task: classification, target_column: 0}
        model: {kind: softmax}
        optimizer: {kind: amsgrad, lr: 1e-3, beta2: 0.99}
        training: {batch_size: 16}
        grid:
          epochs: [1, 2]
          dataset.seed: [0, 7]
        ---
        name: fuzz-3
        dataset: *data
        model: {kind: mlp, activation: tanh}
        optimizer: {kind: sgd-momentum, lr: 0.05}
        training: {epochs: 1}
        grid: {hidden: [[4], [8, 8]]}
        """,
    ].map { Array($0.utf8) }

    /// YAML structure and the values at the edges of what the grid reader checks.
    static let dictionary = [
        ":", " ", "\n", "\n  ", "\n    - ", "- ", "[", "]", "{", "}", ",", "---\n", "...", "&a ", "*a", "!!str ", "? ",
        "|", ">", "#", "'", "\"", "\t", "null", "~", "true", "full", "all", "-1", "0", "1e308", "-1e-308", ".nan", ".inf",
        "99999999999999999999", "9223372036854775807", "1000000000", "[[100000000000]]", "grid:", "blocks:", "seeds:",
        "lambda:", "lr:", "optimizer:", "penalty:", "schedule:", "hidden:", "epochs:", "{step: {every: 0}}", "adamw",
        "sgdw", "\u{FEFF}", "é", "\0",
    ]

    func testMutatedGridFiles() {
        for seed in Self.seeds {
            XCTAssertNoThrow(try GridFile.parse(text: String(decoding: seed, as: UTF8.self), fileName: "seed.yaml"),
                             "every seed is a valid grid file")
        }
        let count = ProcessInfo.processInfo.environment["DECAYBENCH_FUZZ_CASES"].flatMap { Int($0) } ?? 2000
        let outcomes = Outcomes()
        let mutator = Mutator(dictionary: Self.dictionary)
        let seeds = Self.seeds
        let hung = FuzzCampaign.run(count: count, timeout: 120 + Double(count) / 10) { index in
            let text = String(decoding: mutator.mutate(seeds, seed: 5, index: index), as: UTF8.self)
            do {
                let grid = try GridFile.parse(text: text, fileName: "fuzz.yaml")
                outcomes.add(grids: 1, runs: grid.runs.count)
            } catch let error as GridFileError {
                outcomes.add(problems: error.problems.isEmpty ? nil : error.problems.count, case: index)
            } catch {
                outcomes.add(unexpected: "case \(index): \(type(of: error)) \(error)")
            }
        }
        XCTAssertNil(hung, "case \(hung ?? -1) did not end")
        XCTAssertEqual(outcomes.unexpected, [], "errors that are not GridFileError, or errors without a problem")
        // The mutations reach both outcomes: some files still parse, most do not.
        XCTAssertGreaterThan(outcomes.grids, count / 200)
        XCTAssertGreaterThan(outcomes.failures, count / 2)
        print("grid fuzz: \(outcomes.grids) grids (\(outcomes.runs) runs), \(outcomes.failures) files with problems")
    }

    /// What the campaign saw, shared with its thread.
    final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var grids = 0
        private(set) var runs = 0
        private(set) var failures = 0
        private var found: [String] = []

        func add(grids: Int, runs: Int) { lock.withLock { self.grids += grids; self.runs += runs } }
        func add(problems: Int?, case index: Int) {
            lock.withLock {
                failures += 1
                if problems == nil { found.append("case \(index): a GridFileError without problems") }
            }
        }
        func add(unexpected: String) { lock.withLock { found.append(unexpected) } }
        var unexpected: [String] { lock.withLock { found } }
    }
}
