import ArgumentParser
import Datasets
import Foundation
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
              decaybench train --dataset fashion-mnist --model mlp --hidden 256,256 \\
                --optimizer adam --penalty decoupled --lambda 0.01 --decay-convention torch \\
                --lr 1e-3 --schedule cosine --epochs 5 --batch-size 128 --seed 0 --out run.h5
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
            let loadSeconds = (ContinuousClock.now - loadStarted) / .seconds(1)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            if configuration.training.blasThreads > cores {
                FileHandle.standardError.write(Data(("warning: \(configuration.training.blasThreads) BLAS threads on \(cores) cores; "
                    + "oversubscribed cores are slower than one thread each\n").utf8))
            }
            BLAS.setThreadCount(configuration.training.blasThreads)
            let started = Date()
            if !quiet {
                print("decaybench train: \(dataset.name) (\(dataset.train.count) train, \(dataset.test.count) test, "
                      + String(format: "loaded in %.3f s", loadSeconds) + "), key \(configuration.key)")
                print(EpochLine.header(validation: dataset.validation != nil))
            }
            let result = Trainer.run(configuration, on: dataset, onEpoch: { record in
                if !quiet { print(EpochLine.format(record, validation: dataset.validation != nil)) }
            })
            print(EpochLine.summary(result, task: dataset.task))
            if let out {
                let run = PlannedRun(index: 0, block: 0, coordinates: PlannedRun.standardCoordinates(of: configuration),
                                     configuration: configuration)
                let record = RunRecord(run: run, result: result, keepParameters: true)
                var metadata = ResultsFile.Metadata(
                    kind: "train", commandLine: CommandLine.arguments.joined(separator: " "), jobs: 1,
                    blasThreads: configuration.training.blasThreads, startedUTC: started, finishedUTC: Date(), complete: true,
                    provenance: .current())
                metadata.dataFiles = [configuration.data: try DataFileFingerprint.files(of: configuration.data)]
                // Not into an output a `run` holds: its final write would replace this file.
                let lock = try OutputLock(resultsPath: out)
                defer { lock.release() }
                // A one-cell /grid, so the file has the layout of a grid's.
                try ResultsFile.write(records: [record], plan: .singleRun(run, name: run.key), metadata: metadata, to: out)
                print("wrote \(out)")
            }
            if result.status == .failed { throw ExitCode(ExitStatus.badOutcome) }
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

    static func format(_ record: EpochRecord, validation: Bool) -> String {
        var line = String(format: "%5d  %8.5f  %10.5f  %9.5f  %9.4f  %8.4f  ",
                          record.epoch, record.multiplier, record.trainLoss, record.testLoss, record.trainError, record.testError)
        if validation { line += String(format: "%8.5f  %7.4f  ", record.validationLoss, record.validationError) }
        return line + String(format: "%11.4f  %7.2f", record.weightNorm, record.seconds)
    }

    /// The run's outcome: final and best epoch for a finished run, the last finite epoch otherwise.
    static func summary(_ result: RunResult, task: Dataset.Task) -> String {
        var text = "\(result.status.rawValue): \(result.epochs.count)/\(result.configuration.training.epochs) epochs in "
            + String(format: "%.2f s", result.seconds)
        let outcome = result.outcome
        if let last = outcome.final ?? outcome.lastFinite {
            text += outcome.final == nil ? "; last finite epoch \(last.epoch):" : "; final"
            text += String(format: " train loss %.5f, test loss %.5f, train error %.4f, test error %.4f",
                           last.trainLoss, last.testLoss, last.trainError, last.testError)
            if case .classification = task, last.testError.isFinite, outcome.final != nil {
                text += String(format: " (test accuracy %.4f)", 1 - last.testError)
            }
        }
        if let best = outcome.best {
            text += String(format: "; best epoch %d (lowest %@ error): test error %.4f", best.epoch,
                           outcome.selectedOn.rawValue, best.testError)
        }
        if let message = result.message { text += "; \(message)" }
        return text
    }
}
