import Foundation
import GridFiles
import Planning
import XCTest

/// Broken grid files: every problem reported at once, at the right line, key path and with
/// a message that says what was expected.
final class GridFileErrorTests: XCTestCase {
    func testEveryProblemIsReportedAtOnce() {
        XCTAssertThrowsProblems("""
            name: broken grid!
            dataset: {name: fashion-mnist, train_subst: 1000, test_fraction: 1.5}
            model: {kind: mlp, hidden: [0, 64], activation: sigmoid}
            optimizer: {beta1: 1.0, epsilon: 0}
            training: {epochs: 0, batchsize: 128}
            store: {params: some}
            grid:
              optimizer: [nadam, sgd, sgd]
              penalty: [l2, decoupled]
              lambda:
                l2: [0, -1e-4]
              lr: [0, 1e-3]
              schedule: [cosine, {warm-restart: {t0: 5}}, {step: {evry: 5}}]
              momentum: []
            seeds: [0, -1, 1.5, 0]
            """, [
            "grid.yaml:1:7: name: expected a name of letters, digits, '.', '_' and '-' (it names result files), found 'broken grid!'",
            "grid.yaml:2:32: dataset.train_subst: unknown dataset key 'train_subst'; did you mean 'train_subset'?; valid keys: "
                + "name, path, train_subset, test_subset, test_fraction, validation_fraction, validation_size, standardize, seed, samples, features, classes, noise, "
                + "target_column, header, task, features_dataset, targets_dataset",
            "grid.yaml:2:66: dataset.test_fraction: expected a number in [0, 1), found 1.5",
            "grid.yaml:3:29: model.hidden[0]: expected an integer > 0, found 0",
            "grid.yaml:3:49: model.activation: unknown activation 'sigmoid'; expected one of: relu, tanh",
            "grid.yaml:4:20: optimizer.beta1: expected a number in [0, 1), found 1",
            "grid.yaml:4:34: optimizer.epsilon: expected a number > 0, found 0",
            "grid.yaml:5:20: training.epochs: expected an integer > 0, found 0",
            "grid.yaml:5:23: training.batchsize: unknown training key 'batchsize'; did you mean 'batch_size'?; valid keys: "
                + "epochs, batch_size, blas_threads",
            "grid.yaml:6:17: store.params: unknown params 'some'; expected one of: none, final",
            "grid.yaml:8:15: grid.optimizer[0]: unknown optimizer 'nadam'; expected one of: sgd, sgd-momentum, sgd-nesterov, "
                + "adam, amsgrad, adamw, sgdw; did you mean 'adam'?",
            "grid.yaml:8:27: grid.optimizer[2]: duplicate value sgd (first at 8:22)",
            "grid.yaml:10:3: grid.lambda: no values for penalty 'decoupled': 'lambda' depends on 'penalty', so it needs a key 'decoupled'",
            "grid.yaml:11:13: grid.lambda.l2[1]: expected a number ≥ 0, found -0.0001",
            "grid.yaml:12:8: grid.lr[0]: expected a number > 0, found 0",
            "grid.yaml:13:23: grid.schedule[1].warm-restart: unknown schedule 'warm-restart'; expected one of: constant, step, "
                + "exponential, cosine, warm-restarts; did you mean 'warm-restarts'?",
            "grid.yaml:13:55: grid.schedule[2].step.evry: unknown schedule parameter 'evry'; did you mean 'every'?; valid keys: "
                + "every, factor, staircase, minimum, t0, t_mult, warmup_steps",
            "grid.yaml:14:13: grid.momentum: empty axis: expected at least one value (a number in [0, 1))",
            "grid.yaml:15:12: seeds[1]: expected an integer ≥ 0, found -1",
            "grid.yaml:15:16: seeds[2]: expected an integer ≥ 0, found 1.5",
            "grid.yaml:15:21: seeds[3]: duplicate seed 0 (first at 15:9)",
        ])
    }

    /// YAML's null in any spelling is no name; quoted, "null" is a name like any other.
    func testANullNameIsReportedOnceAndAQuotedOneIsAName() throws {
        let rest = "dataset: {name: synthetic-classification}\nmodel: {kind: softmax}\noptimizer: {kind: sgd}\n"
            + "training: {epochs: 1}\ngrid:\n  lr: [0.1]\n"
        for null in ["null", "~", "NULL", ""] {
            XCTAssertThrowsProblems("name: \(null)\n" + rest, [
                "grid.yaml:1:\(null.isEmpty ? 6 : 7): name: expected a name ([A-Za-z0-9._-]+), found null",
            ])
        }
        XCTAssertEqual(try GridFile.parse(text: "name: 'null'\n" + rest, fileName: "grid.yaml").name, "null")
    }

    /// Tags: !!str makes a string of anything, the core schema's other tags read as plain
    /// values do, and any other tag is reported rather than ignored.
    func testExplicitTagsAreHonouredOrReported() throws {
        XCTAssertThrowsProblems("""
            name: tags
            dataset: {name: synthetic-classification, samples: !!binary 1000}
            model: {kind: !!str softmax}
            optimizer: {kind: sgd}
            training: {epochs: !!str 3}
            grid:
              lr: [!!float 0.1, !custom 0.2]
            """, [
            "grid.yaml:2:52: dataset.samples: expected an integer > 0, found the string '1000'",
            "grid.yaml:2:52: dataset.samples: unknown YAML tag '!!binary': a grid file reads plain values, and of tags only "
                + "!!str, !!int, !!float, !!bool, !!null, !!seq and !!map",
            "grid.yaml:5:20: training.epochs: expected an integer > 0, found the string '3'",
            "grid.yaml:7:21: grid.lr[1]: expected a number > 0, found the string '0.2'",
            "grid.yaml:7:21: grid.lr[1]: unknown YAML tag '!custom': a grid file reads plain values, and of tags only "
                + "!!str, !!int, !!float, !!bool, !!null, !!seq and !!map",
        ])
        let plan = try GridFile.parse(text: """
            name: !!str tags
            dataset: !!map {name: synthetic-classification, samples: !!int 1000}
            model: {kind: softmax}
            optimizer: {kind: sgd}
            training: {epochs: !!int "3"}
            grid:
              lr: !!seq [!!float 0.1, 1e-2]
            """, fileName: "grid.yaml")
        XCTAssertEqual(plan.runs.map(\.configuration.optimizer.learningRate), [0.1, 0.01])
        XCTAssertEqual(plan.runs.first?.configuration.training.epochs, 3)
        XCTAssertEqual(plan.runs.first?.configuration.data.samples, 1000)
    }

    func testMissingRequiredSettingsAndUnknownTopLevelKeys() {
        XCTAssertThrowsProblems("""
            # only a grid
            grid:
              lr: [0.1]
            trainig: {epochs: 3}
            """, [
            "grid.yaml:2:1: dataset.name: missing dataset.name (the data set to train on): set 'name' in 'dataset' "
                + "or add the grid axis 'dataset'",
            "grid.yaml:2:1: model.kind: missing model.kind (the model to train): set 'kind' in 'model' or add the grid axis 'model'",
            "grid.yaml:2:1: name: missing name: every grid needs a name ([A-Za-z0-9._-]+); it names the results file",
            "grid.yaml:2:1: optimizer.kind: missing optimizer.kind (the optimizer): set 'kind' in 'optimizer' "
                + "or add the grid axis 'optimizer'",
            "grid.yaml:2:1: training.epochs: missing training.epochs (the number of passes over the training data): "
                + "set 'epochs' in 'training' or add the grid axis 'epochs'",
            "grid.yaml:4:1: trainig: unknown key 'trainig'; did you mean 'training'?; valid keys: name, description, store, "
                + "claims, dataset, model, optimizer, regularization, schedule, training, grid, seeds, blocks",
        ])
    }

    func testModelMustFitTheTask() {
        XCTAssertThrowsProblems("""
            name: mismatch
            dataset: {name: synthetic-regression}
            optimizer: {kind: sgd, lr: 0.1}
            training: {epochs: 1}
            grid:
              model: [linear, softmax, mlp]
            ---
            dataset: {name: mnist}
            model: {kind: linear, hidden: [10]}
            optimizer: {kind: sgd, lr: 0.1}
            training: {epochs: 1}
            """, [
            "grid.yaml:6:19: grid.model[1]: model 'softmax' needs a classification task, but dataset 'synthetic-regression' "
                + "is regression; use 'linear' or 'mlp'",
            "grid.yaml:9:15: model.kind: model 'linear' needs a regression task, but dataset 'mnist' is classification; "
                + "use 'softmax' or 'mlp'",
            "grid.yaml:9:31: model.hidden: model 'linear' has no hidden layers, but hidden is [10]; use kind 'mlp' or drop 'hidden'",
        ])
    }

    func testDependentAxisKeysMustBeValuesOfOneEarlierAxis() {
        XCTAssertThrowsProblems("""
            name: keys
            dataset: {name: mnist}
            model: {kind: softmax}
            training: {epochs: 1}
            grid:
              optimizer: [sgd, adam]
              penalty: [l2, decoupled]
              lambda: {l2: [0], decopled: [1e-3]}
              lr: {sgd: [0.1], adam: [0.001], l2: [1]}
              beta1: [0.9]
              momentum: [0.9]
              epsilon: {0.9: [1e-8]}
              beta2: {sgd: [0.9], l2: [0.99]}
            """, [
            "grid.yaml:8:21: grid.lambda.decopled: 'decopled' is not a value of the axis 'penalty' (l2, decoupled); "
                + "did you mean 'decoupled'?",
            // Most keys are optimizers, so the odd one out is named.
            "grid.yaml:9:35: grid.lr.l2: 'l2' is not a value of the axis 'optimizer' (sgd, adam)",
            "grid.yaml:12:3: grid.epsilon: the keys of 'epsilon' (0.9) are values of both 'beta1' and 'momentum'; "
                + "an axis may depend on exactly one earlier axis",
            // lambda and lr failed to resolve above, so they are not earlier axes here.
            "grid.yaml:13:3: grid.beta2: the keys of 'beta2' (sgd, l2) must all be values of one earlier axis; earlier axes: "
                + "optimizer [sgd, adam]; penalty [l2, decoupled]; beta1 [0.9]; momentum [0.9]",
        ])
    }

    func testDependentAxisKeysMayBeSpeltDifferently() throws {
        let grid = try GridFile.parse(text: """
            name: spelling
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam}
            training: {epochs: 1}
            grid:
              lambda: [1e-3, 0]
              lr: {0.001: [0.01], 0: [0.1, 0.2]}
            """, fileName: "spelling.yaml")
        XCTAssertEqual(grid.runs.map { "\($0.label(on: "lambda")!) \($0.label(on: "lr")!)" },
                       ["0.001 0.01", "0 0.1", "0 0.2"])
    }

    func testTwoKeysForOneValueOfTheEarlierAxisAreRefused() {
        // Keys match as values, so '1e-3' and '0.001' are one key: the second list once won in silence.
        XCTAssertThrowsProblems("""
            name: twice
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam}
            training: {epochs: 1}
            grid:
              lr: [0.001, 0.01]
              lambda: {1e-3: [0], 0.001: [1], 0.01: [2]}
            """, [
            "grid.yaml:8:23: grid.lambda.0.001: the keys '1e-3' and '0.001' of 'lambda' both mean lr '0.001'; "
                + "give each value of 'lr' one key",
        ])
    }

    func testAWholeNumberBeyondTheIntegersIsSaidToBeSo() {
        // "expected an integer ≥ 0, found 9223372036854775808" alone was false: it is an integer.
        XCTAssertThrowsProblems("""
            name: big
            dataset: {name: mnist, seed: 18446744073709551615}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.001}
            training: {epochs: 1}
            seeds: [9223372036854775808, 1.5]
            """, [
            "grid.yaml:2:30: dataset.seed: expected an integer ≥ 0, found 18446744073709551615, "
                + "beyond the integers a grid file holds (-9223372036854775808 to 9223372036854775807)",
            "grid.yaml:6:9: seeds[0]: expected an integer ≥ 0, found 9223372036854775808, "
                + "beyond the integers a grid file holds (-9223372036854775808 to 9223372036854775807)",
            "grid.yaml:6:30: seeds[1]: expected an integer ≥ 0, found 1.5",
        ])
    }

    func testAFieldSetAndVariedInOneBlockIsRefusedAtTheAxis() {
        // The axis won in silence: t0 = 3 was written twice and used nowhere.
        XCTAssertThrowsProblems("""
            name: twice
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.001}
            schedule: {kind: step, every: 4}
            training: {epochs: 1}
            grid:
              lr: [0.01, 0.1]
              schedule: [{warm-restarts: {t0: 3}}, cosine]
              t0: [1, 2]
              every: [2, 3]
            """, [
            "grid.yaml:8:7: grid.lr: the axis 'lr' varies optimizer.lr, which the optimizer section also sets (line 4); "
                + "the axis would override it in every run: remove one of the two",
            "grid.yaml:9:13: grid.schedule: the axis 'schedule' varies schedule.kind, which the schedule section also sets "
                + "(line 5); the axis would override it in every run: remove one of the two",
            "grid.yaml:10:7: grid.t0: the axis 't0' varies schedule.t0, which a schedule entry also sets (line 9); "
                + "the later of the two would override the other in every run: remove one of them",
            "grid.yaml:11:10: grid.every: the axis 'every' varies schedule.every, which the schedule section also sets "
                + "(line 5); the axis would override it in every run: remove one of the two",
        ])
    }

    func testABlockMayVaryWhatItsTopLevelSets() throws {
        // Overriding an inherited default is what blocks are for; a schedule entry's parameters
        // override the schedule section's, as documented.
        let grid = try GridFile.parse(text: """
            name: inherited
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.001}
            schedule: {kind: cosine, t0: 4}
            training: {epochs: 1}
            blocks:
              - grid: {lr: [0.01, 0.1]}
              - grid: {schedule: [{warm-restarts: {t0: 3}}]}
            """, fileName: "grid.yaml")
        XCTAssertEqual(grid.runs.map(\.configuration.optimizer.learningRate), [0.01, 0.1, 0.001])
        XCTAssertEqual(grid.runs.last?.configuration.schedule.t0, 3)
    }

    func testSeedsAFloat64CoordinateCannotHoldAreRefusedWhereWritten() {
        // 2^53 + 1 and 2^53 were both stored as the seed coordinate 9007199254740992.
        XCTAssertThrowsProblems("""
            name: seeds
            dataset: {name: mnist, seed: 9007199254740993}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.001}
            training: {epochs: 1}
            seeds: [9007199254740992, 9007199254740993]
            """, [
            "grid.yaml:2:30: dataset.seed: at most 2^53 = 9007199254740992, got 9007199254740993: a results file's seed "
                + "coordinates are float64, which hold no larger integer exactly",
            "grid.yaml:6:27: training.seed: at most 2^53 = 9007199254740992, got 9007199254740993: a results file's seed "
                + "coordinates are float64, which hold no larger integer exactly",
        ])
    }

    func testAxisProblems() {
        XCTAssertThrowsProblems("""
            name: axes
            dataset: {name: mnist}
            model: {kind: softmax}
            optimizer: {kind: adam}
            training: {epochs: 1}
            grid:
              lr: 0.1
              batchSize: [32]
              training.epochs: [1]
              epochs: [2]
              seed: [1, 2]
              lambda: [0.001, 1e-3]
            """, [
            "grid.yaml:7:7: grid.lr: expected a list of values (a number > 0) or a mapping of lists, found 0.1",
            "grid.yaml:8:3: grid.batchSize: unknown axis 'batchSize'; did you mean 'batch_size'?; valid axes: "
                + "dataset, path, train_subset, test_subset, test_fraction, validation_fraction, validation_size, standardize, dataset.seed, samples, features, "
                + "classes, noise, target_column, header, task, features_dataset, targets_dataset, model, hidden, activation, "
                + "init, optimizer, lr, momentum, beta1, beta2, epsilon, penalty, lambda, decay_convention, normalized, "
                + "include_biases, every, factor, staircase, minimum, t0, t_mult, warmup_steps, epochs, batch_size, "
                + "blas_threads, schedule",
            "grid.yaml:9:20: grid.training.epochs: the axis 'epochs' varies training.epochs, which the training section "
                + "also sets (line 5); the axis would override it in every run: remove one of the two",
            "grid.yaml:10:3: grid.epochs: 'epochs' varies the same field as the axis 'training.epochs'",
            "grid.yaml:11:3: grid.seed: unknown axis 'seed'; seeds are given by the top-level key 'seeds'; valid axes: "
                + "dataset, path, train_subset, test_subset, test_fraction, validation_fraction, validation_size, standardize, dataset.seed, samples, features, "
                + "classes, noise, target_column, header, task, features_dataset, targets_dataset, model, hidden, activation, "
                + "init, optimizer, lr, momentum, beta1, beta2, epsilon, penalty, lambda, decay_convention, normalized, "
                + "include_biases, every, factor, staircase, minimum, t0, t_mult, warmup_steps, epochs, batch_size, "
                + "blas_threads, schedule",
            "grid.yaml:12:19: grid.lambda[1]: duplicate value 0.001 (first at 12:12)",
        ])
    }

    func testYamlSyntaxErrorsKeepYamsPosition() {
        XCTAssertThrowsProblems("""
            name: x
            grid:
              lr: [1, 2
            seeds: [0]
            """, [
            "grid.yaml:4:6: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 3, column 7)",
        ])
        // At the repeated key, not where its mapping starts (1:1 for the top level).
        XCTAssertThrowsProblems("name: x\ntraining: {epochs: 1, epochs: 2}\n", [
            "grid.yaml:2:23: duplicate key 'epochs' in one mapping (first at 2:12); each key may appear once",
        ])
        XCTAssertThrowsProblems("name: x\nseeds: [0]\ntraining: {epochs: 1}\n'name': y\n", [
            "grid.yaml:4:1: duplicate key 'name' in one mapping (first at 1:1); each key may appear once",
        ])
        // The same key in two different mappings is no duplicate; the repeat in the second is.
        XCTAssertThrowsProblems("name: x\ntraining: {epochs: 1}\nschedule: {epochs: 1,\n  kind: cosine, epochs: 2}\n", [
            "grid.yaml:4:17: duplicate key 'epochs' in one mapping (first at 3:12); each key may appear once",
        ])
        XCTAssertThrowsProblems("name: x\n\tgrid: {}\n", [
            "grid.yaml:2:1: YAML syntax error: found a tab character that violates indentation (while scanning a plain scalar at line 1, column 7)",
        ])
    }

    func testTextWithANulCharacterIsRefusedWhereItIs() {
        // A results file stores the grid's texts as C strings, which would end at the NUL: the
        // runs would all be computed and then fail to be written.
        XCTAssertThrowsProblems("name: x\ndescription: \"before\\u0000after\"\n", [
            "grid.yaml:2:14: description: this text holds a NUL character (\\0), which a results file cannot store; remove it",
        ])
        XCTAssertThrowsProblems("name: x\ngrid:\n  lr: [0.1, \"0.2\\0\"]\n", [
            "grid.yaml:3:13: grid.lr[1]: this text holds a NUL character (\\0), which a results file cannot store; remove it",
        ])
        // In a key too.
        XCTAssertThrowsProblems("name: x\n\"a\\0b\": 1\n", [
            "grid.yaml:2:1: a\\0b: this text holds a NUL character (\\0), which a results file cannot store; remove it",
        ])
    }

    func testErrorPrintsOneProblemPerLineInCompilerForm() {
        do {
            _ = try GridFile.parse(text: "name: a b\nmodel: []\n", fileName: "f.yaml")
            XCTFail("expected problems")
        } catch let error as GridFileError {
            let lines = "\(error)".split(separator: "\n")
            XCTAssertEqual(lines.count, error.problems.count)
            XCTAssertGreaterThan(lines.count, 2)
            XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("f.yaml:") })
            XCTAssertTrue(lines.contains("f.yaml:1:7: name: expected a name of letters, digits, '.', '_' and '-' (it names result files), found 'a b'"))
            XCTAssertTrue(lines.contains("f.yaml:2:8: model: expected a mapping of model settings, found a list"))
        } catch {
            XCTFail("unexpected error \(error)")
        }
    }

    func testLoadReadsFilesAndNamesUnreadableOnes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("grid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("example.yaml").path
        try GridFileTests.example.write(toFile: path, atomically: true, encoding: .utf8)
        let grid = try GridFile.load(path: path)
        XCTAssertEqual(grid.runs.count, 768)
        XCTAssertEqual(grid.sourceText, GridFileTests.example)

        let missing = directory.appendingPathComponent("missing.yaml").path
        XCTAssertThrowsError(try GridFile.load(path: missing)) { error in
            XCTAssertEqual((error as? GridFileError)?.problems.first?.file, missing, "the path as given, not its last component")
            XCTAssertTrue("\(error)".contains("cannot read the grid file"))
        }
    }

    func testAFileBeyondTheGridFileSizeIsRefusedUnreadAndALongStringIsQuotedByItsStart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("grid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Sparse: one byte past the limit costs no disk, and reading it would cost 16 MiB.
        let huge = directory.appendingPathComponent("huge.yaml").path
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: huge))
        try handle.truncate(atOffset: UInt64(GridLimits.fileBytes + 1))
        try handle.close()
        XCTAssertThrowsError(try GridFile.load(path: huge)) { error in
            XCTAssertEqual("\(error)", "\(huge):1:1: the grid file is 16,777,217 bytes; "
                           + "a grid file is at most 16 MiB of YAML: is it the grid you meant?")
        }
        // Through a symbolic link too: the size is the target's, not the link's.
        let link = directory.appendingPathComponent("link.yaml").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: huge)
        XCTAssertThrowsError(try GridFile.load(path: link)) { error in
            XCTAssertTrue("\(error)".hasSuffix("the grid file is 16,777,217 bytes; a grid file is at most 16 MiB of YAML: is it the grid you meant?"),
                          "\(error)")
        }
        // At the limit it is read (and is not YAML of a grid).
        let atLimit = directory.appendingPathComponent("at-limit.yaml").path
        try Data(repeating: UInt8(ascii: "a"), count: GridLimits.fileBytes).write(to: URL(fileURLWithPath: atLimit))
        XCTAssertThrowsError(try GridFile.load(path: atLimit)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("expected a mapping of grid settings, found the string '\(String(repeating: "a", count: 80))…'"),
                          String(message.prefix(300)))
            XCTAssertLessThan(message.utf8.count, 1_000, "the string is quoted by its start, not whole")
        }
    }
}
