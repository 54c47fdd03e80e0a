import GridFiles
import Planning
import Training
import XCTest

/// Expansion, labels, axes and cells of grid files that parse.
final class GridFileTests: XCTestCase {
    static let example = """
        name: adam-vs-adamw-fmnist
        dataset: {name: fashion-mnist, train_subset: 10000}
        model: {kind: mlp, hidden: [256, 256], activation: relu}
        training: {epochs: 20, batch_size: 128}
        store: {params: final}
        grid:
          optimizer: [sgd-momentum, adam]
          penalty: [l2, decoupled]
          lambda:
            l2: [0, 1e-5, 1e-4, 1e-3]
            decoupled: [0, 1e-3, 1e-2, 1e-1]
          lr: [1e-4, 3e-4, 1e-3, 3e-3]
          schedule:
            - constant
            - cosine
            - {warm-restarts: {t0: 5, t_mult: 2}}
            - {step: {every: 5, factor: 0.5}}
        seeds: [0, 1, 2]
        """

    func testExampleExpandsInFileOrderWithSeedsInnermost() throws {
        let grid = try GridFile.parse(text: Self.example, fileName: "example.yaml")
        XCTAssertEqual(grid.runs.count, 2 * 2 * 4 * 4 * 4 * 3)
        XCTAssertEqual(grid.runs.map(\.index), Array(0..<768))
        XCTAssertEqual(grid.name, "adam-vs-adamw-fmnist")
        XCTAssertEqual(grid.storesParameters, true)

        let first = grid.runs[0]
        XCTAssertEqual(first.labelsByAxis, ["optimizer": "sgd-momentum", "penalty": "l2", "lambda": "0",
                                           "lr": "0.0001", "schedule": "constant", "seed": "0"])
        XCTAssertEqual(grid.runs[1].label(on: "seed"), "1")
        XCTAssertEqual(grid.runs[3].label(on: "schedule"), "cosine")
        XCTAssertEqual(grid.runs[3].label(on: "seed"), "0")
        XCTAssertEqual(grid.runs[12].label(on: "lr"), "0.0003")
        XCTAssertEqual(grid.runs[48].label(on: "lambda"), "1e-5")
        XCTAssertEqual(grid.runs[192].label(on: "penalty"), "decoupled")
        XCTAssertEqual(grid.runs[192 + 48].label(on: "lambda"), "0.001")
        XCTAssertEqual(grid.runs[384].label(on: "optimizer"), "adam")

        let last = try XCTUnwrap(grid.runs.last)
        XCTAssertEqual(last.labelsByAxis, ["optimizer": "adam", "penalty": "decoupled", "lambda": "0.1",
                                          "lr": "0.003", "schedule": "step(every=5,factor=0.5)", "seed": "2"])
        let configuration = last.configuration
        XCTAssertEqual(configuration.optimizer.kind, .adam)
        XCTAssertEqual(configuration.regularization.penalty, .decoupled)
        XCTAssertEqual(configuration.regularization.lambda, 0.1)
        XCTAssertEqual(last.configuration.optimizer.learningRate, 3e-3)
        XCTAssertEqual(configuration.schedule.kind, .step)
        XCTAssertEqual(configuration.schedule.every, 5)
        XCTAssertEqual(configuration.schedule.factor, 0.5)
        XCTAssertEqual(configuration.training.seed, 2)
        XCTAssertEqual(configuration.training.epochs, 20)
        XCTAssertEqual(configuration.training.batchSize, 128)
        XCTAssertEqual(configuration.data.source, .fashionMNIST)
        XCTAssertEqual(configuration.data.trainSubset, 10000)
        XCTAssertEqual(configuration.model.hidden, [256, 256])
        XCTAssertEqual(Set(grid.runs.map(\.key)).count, 768, "every run has its own key")
    }

    func testScheduleLabelsAndParameters() throws {
        let grid = try GridFile.parse(text: Self.example, fileName: "example.yaml")
        let restarts = try XCTUnwrap(grid.runs.first { $0.configuration.schedule.kind == .warmRestarts })
        XCTAssertEqual(restarts.label(on: "schedule"), "warm-restarts(t0=5,t_mult=2)")
        XCTAssertEqual(restarts.configuration.schedule.t0, 5)
        XCTAssertEqual(restarts.configuration.schedule.tMult, 2)
        XCTAssertEqual(grid.axes.first { $0.name == "schedule" }?.labels,
                       ["constant", "cosine", "warm-restarts(t0=5,t_mult=2)", "step(every=5,factor=0.5)"])
    }

    func testDependentAxisIsTheUnionOfItsListsAndCellsAreDistinct() throws {
        let grid = try GridFile.parse(text: Self.example, fileName: "example.yaml")
        XCTAssertEqual(grid.axes.map(\.name), ["optimizer", "penalty", "lambda", "lr", "schedule", "seed"])
        XCTAssertEqual(grid.axes[2].labels, ["0", "1e-5", "0.0001", "0.001", "0.01", "0.1"])
        XCTAssertEqual(grid.axes[3].labels, ["0.0001", "0.0003", "0.001", "0.003"])
        XCTAssertEqual(grid.shape, [2, 2, 6, 4, 4, 3])
        XCTAssertFalse(grid.runs.contains { $0.configuration.regularization.penalty == .l2 && $0.label(on: "lambda")! == "0.1" })
        XCTAssertEqual(Set(grid.runs.map { grid.cellIndex(of: $0) }).count, 768)

        let last = try XCTUnwrap(grid.runs.last)
        XCTAssertEqual(grid.cellPosition(of: last), [1, 1, 5, 3, 3, 2])
        XCTAssertEqual(grid.cellPosition(of: grid.runs[48]), [0, 0, 1, 0, 0, 0])
        XCTAssertEqual(grid.cellIndex(of: last), grid.shape.reduce(1, *) - 1)
    }

    func testDefaultsAreFilledIn() throws {
        let grid = try GridFile.parse(text: """
            name: minimal
            dataset: {name: synthetic-regression}
            model: {kind: linear}
            optimizer: {kind: sgd, lr: 0.01}
            training: {epochs: 3}
            regularization:
            grid:
              # lr: [0.1, 0.01]
            """, fileName: "minimal.yaml")
        XCTAssertEqual(grid.runs.count, 1)
        XCTAssertFalse(grid.storesParameters)
        XCTAssertEqual(grid.axes.map(\.name), ["seed"])
        let run = grid.runs[0]
        let expected = RunConfiguration(
            data: .init(source: .syntheticRegression), model: .init(kind: .linear), optimizer: .init(kind: .sgd, learningRate: 0.01),
            regularization: .init(), schedule: .init(), training: .init(epochs: 3))
        XCTAssertEqual(run.configuration, expected)
        XCTAssertEqual(run.configuration.optimizer.learningRate, 0.01)
        XCTAssertEqual(run.labelsByAxis, ["seed": "0"])
    }

    func testEveryFieldIsSettable() throws {
        let grid = try GridFile.parse(text: """
            name: all.fields_1
            description: every field set
            dataset:
              name: csv
              path: /data/wine.csv
              train_subset: 500
              test_subset: 100
              test_fraction: 0.25
              standardize: true
              seed: 7
              samples: 300
              features: 11
              classes: 4
              noise: 0.5
              target_column: 0
              header: false
              task: regression
              features_dataset: /X
              targets_dataset: /y
            model: {kind: mlp, hidden: [64, 32], activation: tanh, init: glorot}
            optimizer: {kind: sgd-nesterov, lr: 0.05, momentum: 0.8, beta1: 0.85, beta2: 0.99, epsilon: 1e-6}
            regularization: {penalty: decoupled, lambda: 0.002, decay_convention: paper, normalized: true, include_biases: true}
            schedule: {kind: exponential, every: 3, factor: 0.9, staircase: true, minimum: 0.01, t0: 4, t_mult: 3, warmup_steps: 50}
            training: {epochs: 7, batch_size: full, blas_threads: 2}
            seeds: [11]
            """, fileName: "all.yaml")
        XCTAssertEqual(grid.description, "every field set")
        let configuration = try XCTUnwrap(grid.runs.first).configuration
        XCTAssertEqual(configuration.data, .init(
            source: .csv, path: "/data/wine.csv", trainSubset: 500, testSubset: 100, testFraction: 0.25,
            standardize: true, seed: 7, samples: 300, features: 11, classes: 4, noise: 0.5, targetColumn: 0,
            header: false, task: .regression, featuresDataset: "/X", targetsDataset: "/y"))
        XCTAssertEqual(configuration.model, .init(kind: .mlp, hidden: [64, 32], activation: .tanh, initialization: .glorot))
        XCTAssertEqual(configuration.optimizer, .init(kind: .sgdNesterov, learningRate: 0.05, momentum: 0.8, beta1: 0.85, beta2: 0.99, epsilon: 1e-6))
        XCTAssertEqual(configuration.regularization, .init(penalty: .decoupled, lambda: 0.002, decayConvention: .paper,
                                                           normalized: true, includeBiases: true))
        XCTAssertEqual(configuration.schedule, .init(kind: .exponential, every: 3, factor: 0.9, staircase: true,
                                                     minimum: 0.01, t0: 4, tMult: 3, warmupSteps: 50))
        XCTAssertEqual(configuration.training, .init(epochs: 7, batchSize: nil, seed: 11, blasThreads: 2))
        XCTAssertEqual(grid.runs[0].configuration.optimizer.learningRate, 0.05)
    }

    func testAnyScalarFieldCanBeAnAxis() throws {
        let grid = try GridFile.parse(text: """
            name: axes
            dataset: {name: mnist}
            model: {kind: mlp}
            optimizer: {kind: adam, lr: 0.001}
            grid:
              training.epochs: [10, 20]
              batch_size: [full, 32]
              beta2: [0.99, 0.999]
              hidden: [[64], [128, 64]]
              decay_convention: [paper, torch]
              dataset.seed: [0, 1]
            """, fileName: "axes.yaml")
        XCTAssertEqual(grid.runs.count, 64)
        XCTAssertEqual(grid.axes.map(\.name), ["epochs", "batch_size", "beta2", "hidden", "decay_convention", "dataset.seed", "seed"])
        XCTAssertEqual(grid.axes[1].labels, ["32", "full"], "numbers ascend, the empty optional comes last")
        XCTAssertEqual(grid.axes[3].labels, ["[64]", "[128,64]"])
        let run = grid.runs[1]
        XCTAssertEqual(run.configuration.training.epochs, 10)
        XCTAssertNil(run.configuration.training.batchSize)
        XCTAssertEqual(run.configuration.data.seed, 1)
        XCTAssertEqual(run.configuration.regularization.decayConvention, .paper)
        XCTAssertEqual(run.configuration.model.hidden, [64])
    }

    func testLearningRateMayDependOnOptimizer() throws {
        let grid = try GridFile.parse(text: """
            name: lr-by-optimizer
            dataset: {name: fashion-mnist}
            model: {kind: softmax}
            training: {epochs: 1}
            grid:
              optimizer: [sgd, adam]
              lr:
                sgd: [0.1, 0.3]
                adam: [1e-3]
            """, fileName: "lr.yaml")
        XCTAssertEqual(grid.runs.map { "\($0.configuration.optimizer.kind.rawValue) \($0.label(on: "lr")!)" },
                       ["sgd 0.1", "sgd 0.3", "adam 0.001"])
        XCTAssertEqual(grid.axes[1].labels, ["0.001", "0.1", "0.3"])
    }

    func testKeysAreStableAndIgnoreCommentsLayoutAndSpelling() throws {
        let one = try GridFile.parse(text: Self.example, fileName: "a.yaml")
        let again = try GridFile.parse(text: Self.example, fileName: "a.yaml")
        XCTAssertEqual(one.runs.map(\.key), again.runs.map(\.key))
        XCTAssertEqual(one.canonicalText, again.canonicalText)

        let commented = "# a comment about the grid\n" + Self.example
            .replacingOccurrences(of: "seeds: [0, 1, 2]", with: "seeds: [0, 1, 2]   # three seeds")
            .replacingOccurrences(of: "training: {epochs: 20, batch_size: 128}", with: "training: {batch_size: 128, epochs: 20}")
            .replacingOccurrences(of: "lr: [1e-4, 3e-4, 1e-3, 3e-3]", with: "lr: [0.0001, 0.0003, 0.001, 0.003]")
        let other = try GridFile.parse(text: commented, fileName: "b.yaml")
        XCTAssertEqual(one.runs.map(\.key), other.runs.map(\.key))
        XCTAssertEqual(one.canonicalText, other.canonicalText)
        XCTAssertEqual(other.differences(fromStored: one.canonicalText), [])
        XCTAssertNotEqual(one.sourceText, other.sourceText)
    }

    func testDifferencesNameWhatChanged() throws {
        let one = try GridFile.parse(text: Self.example, fileName: "a.yaml")
        let changed = Self.example
            .replacingOccurrences(of: "lr: [1e-4, 3e-4, 1e-3, 3e-3]", with: "lr: [1e-3]")
            .replacingOccurrences(of: "epochs: 20", with: "epochs: 10")
            .replacingOccurrences(of: "decoupled: [0, 1e-3, 1e-2, 1e-1]", with: "decoupled: [0, 1e-3]")
        let other = try GridFile.parse(text: changed, fileName: "a.yaml")
        XCTAssertEqual(other.differences(fromStored: one.canonicalText), [
            "grid.lambda.decoupled: [0,0.001,0.01,0.1] in the stored grid, [0,0.001] now",
            "grid.lr: [0.0001,0.0003,0.001,0.003] in the stored grid, [0.001] now",
            "training.epochs: 20 in the stored grid, 10 now",
        ])
        // A stored form that spells its numbers otherwise (earlier builds wrote `1e-8` where the
        // canonical encoder writes `1e-08`) is the same grid, so their files still resume.
        let respelled = one.canonicalText.replacingOccurrences(of: "1e-08", with: "1e-8")
        XCTAssertNotEqual(respelled, one.canonicalText)
        XCTAssertEqual(one.differences(fromStored: respelled), [])
        XCTAssertTrue(one.canonicalText.hasPrefix("{\"dataset\":{"), one.canonicalText)
        XCTAssertTrue(one.canonicalText.contains("\"beta2\":0.999"), "defaults are filled in")
    }

    /// Differences beyond the 200 characters a message shows still count: a block's setting far
    /// into the canonical text, or the last value of a long axis. (Both once compared equal, so
    /// `run --resume` took a different grid's file as its own.)
    func testDifferencesFarIntoTheGridAreFoundAndNamedByTheirPath() throws {
        let blocks = """
            name: b
            dataset: {name: synthetic-regression}
            model: {kind: linear}
            optimizer: {kind: adam}
            blocks:
              - training: {epochs: 3}
                grid: {lr: [0.01]}
              - training: {epochs: 1}
                grid: {lr: [0.02]}
            """
        let stored = try GridFile.parse(text: blocks, fileName: "a.yaml")
        let changed = try GridFile.parse(text: blocks.replacingOccurrences(of: "- training: {epochs: 1}", with: "- training: {epochs: 2}"),
                                         fileName: "a.yaml")
        XCTAssertGreaterThan(stored.canonicalText.count, 400)
        XCTAssertEqual(changed.differences(fromStored: stored.canonicalText), ["blocks[1].training.epochs: 1 in the stored grid, 2 now"])

        let axis = (1...60).map { "\(Double($0) / 1000)" }
        let long = try GridFile.parse(text: "name: a\ndataset: {name: synthetic-classification}\nmodel: {kind: softmax}\n"
                                      + "optimizer: {kind: sgd}\ntraining: {epochs: 1}\ngrid:\n  lr: [\(axis.joined(separator: ", "))]\n",
                                      fileName: "a.yaml")
        let last = try GridFile.parse(text: "name: a\ndataset: {name: synthetic-classification}\nmodel: {kind: softmax}\n"
                                      + "optimizer: {kind: sgd}\ntraining: {epochs: 1}\ngrid:\n  lr: [\((axis.dropLast() + ["0.99"]).joined(separator: ", "))]\n",
                                      fileName: "a.yaml")
        let differences = last.differences(fromStored: long.canonicalText)
        XCTAssertEqual(differences.count, 1)
        XCTAssertTrue(differences.first?.hasPrefix("grid.lr: [0.001,0.002,") == true, "\(differences)")
        XCTAssertEqual(GridPlan.differences(between: long.canonicalText, and: last.canonicalText, labels: ("in A", "in B")).first?
            .contains("… in A, [0.001,"), true)
    }
}
