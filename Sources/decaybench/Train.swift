import ArgumentParser
import Datasets
import Foundation
import HDF5Store
import Planning
import Results
import Runner
import TensorMath
import Training

extension DecayBench {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train one configuration, print one line per epoch, optionally save it to HDF5.",
            discussion: """
            Example (reaches about 0.87 test accuracy on Fashion-MNIST):
              decaybench train --dataset fashion-mnist \\
                --model mlp --hidden 256,256 --optimizer adam \\
                --penalty decoupled --lambda 0.01 --decay-convention torch \\
                --lr 1e-3 --schedule cosine --epochs 5 --batch-size 128 \\
                --seed 0 --out run.h5
            """)

        @OptionGroup var settings: ConfigurationOptions

        @Option(help: "Write the run (curves, final parameters, every setting, provenance) to this HDF5 file.")
        var out: String?

        @Flag(help: "Replace --out if it exists.")
        var overwrite = false

        @Flag(help: "Print only the final summary.")
        var quiet = false

        func validate() throws {
            if let out {
                do { try OutputPath.check(out, allowingExisting: overwrite) } catch { throw ValidationError("--out: \(error)") }
            }
        }

        func run() throws {
            let configuration = settings.runConfiguration
            if let out { try CommandFailure.readingInput { try OutputPath.checkIsNotData(out, of: configuration.data) } }
            // Claimed before anything is trained: an output that another process holds would
            // otherwise be found out only when the finished run is written, and the run lost.
            let claim = try out.map(Self.claim)
            defer { claim?.release() }
            let token = Interruption.onInterrupt(release: claim)
            defer { Interruption.remove(token) }
            let dataset: Dataset
            let loadStarted = ContinuousClock.now
            do {
                dataset = try DatasetLoader.load(configuration.data)
            } catch {
                throw CommandFailure.input("cannot load the data set: \(error)")
            }
            // What only the loaded data can tell (the task, a file's shape), all at once.
            let problems = configuration.problems(on: dataset)
            if !problems.isEmpty {
                throw CommandFailure.input(problems.map { "--\(ConfigurationOptions.flag(for: $0.field)): \($0.message)" }
                    .joined(separator: "\n"))
            }
            // The files trained on, recorded now: a file that changes or goes during training
            // must not be described by its new state, nor lose the run.
            let dataFiles = try out == nil ? [] : CommandFailure.readingInput { try DataFileFingerprint.files(of: configuration.data) }
            let loadSeconds = (ContinuousClock.now - loadStarted) / .seconds(1)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            if configuration.training.blasThreads > cores {
                DiagnosticOutput.write("warning: \(configuration.training.blasThreads) BLAS threads on \(cores) cores; "
                    + "oversubscribed cores are slower than one thread each\n")
            }
            if let problem = BLAS.addressSpaceProblem(threads: configuration.training.blasThreads,
                                                      limit: ProcessMemory.addressSpaceLimit, inUse: ProcessMemory.addressSpaceInUse) {
                throw CommandFailure.input("--blas-threads: \(problem)")
            }
            if let problem = TrainingMemory.addressSpaceProblem(
                bytesPerRun: TrainingMemory.bytes(of: configuration, on: DataShape(dataset)), runsAtOnce: 1,
                sharedBytes: TrainingMemory.sharedBytes(on: DataShape(dataset)),
                blasThreads: configuration.training.blasThreads, who: "the model",
                limit: ProcessMemory.addressSpaceLimit, inUse: ProcessMemory.addressSpaceInUse) {
                throw CommandFailure.input(problem)
            }
            BLAS.setThreadCount(configuration.training.blasThreads)
            let started = Date()
            let hasValidation = dataset.validation != nil, hasTest = dataset.test.count > 0
            if !quiet {
                StandardOutput.printNow("decaybench train: \(dataset.name) (\(dataset.train.count) train, \(dataset.test.count) test, "
                                        + String(format: "loaded in %.3f s", loadSeconds) + "), key \(configuration.key)")
                StandardOutput.printNow(EpochLine.header(validation: hasValidation))
            }
            let result = Trainer.run(configuration, on: dataset, onEpoch: { record in
                if !quiet { StandardOutput.printNow(EpochLine.format(record, validation: hasValidation, test: hasTest)) }
            })
            StandardOutput.printNow(EpochLine.summary(result, task: dataset.task, test: hasTest))
            if let out {
                let run = PlannedRun(index: 0, block: 0, coordinates: PlannedRun.standardCoordinates(of: configuration),
                                     configuration: configuration)
                let record = RunRecord(run: run, result: result, keepParameters: true)
                var metadata = ResultsFile.Metadata(
                    kind: "train", commandLine: CommandLine.arguments.joined(separator: " "), jobs: 1,
                    blasThreads: configuration.training.blasThreads, startedUTC: started, finishedUTC: Date(), complete: true,
                    provenance: .current())
                metadata.dataFiles = [configuration.data: dataFiles]
                // A file that appeared at --out while training is the user's: the run goes beside it.
                let taken: String?
                do { try OutputPath.check(out, allowingExisting: overwrite); taken = nil } catch { taken = "\(error)" }
                let path = taken == nil ? out : Self.pathBeside(out, key: run.key)
                // A one-cell /grid, so the file has the layout of a grid's.
                try ResultsFile.write(records: [record], plan: .singleRun(run, name: run.key), metadata: metadata, to: path)
                StandardOutput.printNow("wrote \(path)")
                if let taken {
                    throw CommandFailure("--out \(out) became unusable while training (\(taken)); the run is saved in \(path) instead")
                }
            }
            if result.status == .failed { throw ExitCode(ExitStatus.badOutcome) }
        }

        /// The output's lock, refused where a `run` keeps its unfinished runs (OUT.parts): that
        /// run's final write would replace this file, even if its lock file has been deleted.
        private static func claim(_ out: String) throws -> OutputLock {
            // The lock first: a `run` that holds it is named as the holder.
            let lock = try OutputLock(resultsPath: out)
            let journal = out + ".parts"
            var status = stat()
            if lstat(journal, &status) == 0 {
                lock.release()
                throw CommandFailure.input("--out: \(journal) exists: `decaybench run` keeps the unfinished runs of \(out) "
                                           + "there, and its final write would replace this run's file; choose another --out")
            }
            return lock
        }

        /// A free name beside `out` for a run whose --out was taken while it trained: OUT-KEY.h5,
        /// then OUT-KEY-2.h5, ….
        static func pathBeside(_ out: String, key: String) -> String {
            let stem = out.hasSuffix(".h5") ? String(out.dropLast(3)) : out
            var candidate = "\(stem)-\(key).h5", attempt = 1
            var status = stat()
            while lstat(candidate, &status) == 0 {
                attempt += 1
                candidate = "\(stem)-\(key)-\(attempt).h5"
            }
            return candidate
        }
    }
}

/// The per-epoch table `train` prints.
enum EpochLine {
    /// The column names; validation's two columns only when the data set has that split.
    static func header(validation: Bool) -> String {
        "epoch   eta_t     train_loss  test_loss  train_err  test_err  " + (validation ? "val_loss  val_err  " : "")
            + "weight_norm  seconds"
    }

    /// - Parameter test: whether the data set has a test split; without one (a held-out
    ///   fraction of 0) its columns show "-", not the NaN that stands for "none" in the file.
    static func format(_ record: EpochRecord, validation: Bool, test: Bool = true) -> String {
        func testColumn(_ value: Double, _ format: String, width: Int) -> String {
            test ? String(format: format, value) : String(repeating: " ", count: width - 1) + "-"
        }
        var line = String(format: "%5d  %8.5f  %10.5f  ", record.epoch, record.multiplier, record.trainLoss)
            + testColumn(record.testLoss, "%9.5f", width: 9) + String(format: "  %9.4f  ", record.trainError)
            + testColumn(record.testError, "%8.4f", width: 8) + "  "
        if validation { line += String(format: "%8.5f  %7.4f  ", record.validationLoss, record.validationError) }
        return line + String(format: "%11.4f  %7.2f", record.weightNorm, record.seconds)
    }

    /// The run's outcome: final and best epoch for a finished run, the last finite epoch otherwise.
    static func summary(_ result: RunResult, task: Dataset.Task, test: Bool = true) -> String {
        var text = "\(result.status.rawValue): \(result.epochs.count)/\(result.configuration.training.epochs) epochs in "
            + String(format: "%.2f s", result.seconds)
        let outcome = result.outcome
        if let last = outcome.final ?? outcome.lastFinite {
            text += outcome.final == nil ? "; last finite epoch \(last.epoch):" : "; final"
            text += test
                ? String(format: " train loss %.5f, test loss %.5f, train error %.4f, test error %.4f",
                         last.trainLoss, last.testLoss, last.trainError, last.testError)
                : String(format: " train loss %.5f, train error %.4f (no test split: its fraction is 0)", last.trainLoss, last.trainError)
            if case .classification = task, test, last.testError.isFinite, outcome.final != nil {
                text += String(format: " (test accuracy %.4f)", 1 - last.testError)
            }
        }
        if let best = outcome.best {
            text += test
                ? String(format: "; best epoch %d (lowest %@ error): test error %.4f", best.epoch, outcome.selectedOn.rawValue, best.testError)
                : String(format: "; best epoch %d (lowest %@ error): validation error %.4f", best.epoch, outcome.selectedOn.rawValue,
                         best.validationError)
        }
        if let message = result.message { text += "; \(message)" }
        return text
    }
}
