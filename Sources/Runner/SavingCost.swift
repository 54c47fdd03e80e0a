import Foundation
import Models
import Planning
import Results
import TensorMath
import Training

/// What a grid costs besides training: `run` writes every finished run to a file of its own at
/// once, one file at a time, so that a killed grid loses nothing; at the end it reads those
/// files back and writes the results file.
///
/// For a grid of small runs this is most of the time: a softmax regression on 200 synthetic
/// points trains an epoch in well under a millisecond, and its run file takes milliseconds of
/// HDF5's work (experiments/bench/small-runs.yaml).
/// Timed on this machine with a record shaped like the grid's first run: its epochs, and its
/// parameters when the grid stores them.
struct SavingCost: Sendable {
    /// Seconds to write one run's file; the writer takes one run at a time, whatever the jobs.
    let perRunFile: Double
    /// Seconds per run to read the run files back and write the results file, after training.
    let perRunAssembly: Double

    /// Runs in the timed results file: enough that its fixed parts weigh little per run.
    static let assembledRuns = 8
    /// Repetitions of each timing; the median counts.
    static let repetitions = 3

    /// - Parameter temporary: where the timed run file is written and read, in a folder of its own removed afterwards.
    static func calibrate(for run: PlannedRun, features: Int, outputs: Int, storesParameters: Bool,
                          temporary: URL = FileManager.default.temporaryDirectory) throws -> SavingCost {
        let record = sampleRecord(run, features: features, outputs: outputs, storesParameters: storesParameters)
        let metadata = ResultsFile.Metadata.shard(commandLine: "decaybench plan", provenance: Provenance.current())
        removeStaleFolders(in: temporary)
        let directory = temporary
            .appendingPathComponent(folderPrefix + "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runFile = directory.appendingPathComponent("run.h5").path

        let writing = try median {
            try ResultsFile.write(records: [record], plan: nil, metadata: metadata, to: runFile, durable: false, for: .journal)
        }
        let reading = try median { _ = try ResultsFile.readShard(at: runFile) }
        let records = (0..<assembledRuns).map { copy -> RunRecord in
            var distinct = record  // a run file per key: each copy its own seed, so its own key
            distinct.run.configuration.training.seed = UInt64(copy)
            return distinct
        }
        let assembling = try median {
            _ = try ResultsFile.image(records: records, plan: nil, metadata: metadata, name: "calibration")
        }
        return SavingCost(perRunFile: writing, perRunAssembly: reading + assembling / Double(assembledRuns))
    }

    /// How the calibration's folder is named: the prefix, then its process id and a UUID.
    static let folderPrefix = "decaybench-saving-"

    /// Removes the folders that calibrations of processes no longer alive left behind (a `plan`
    /// killed while it timed saving), so that they do not pile up in the temporary folder. Only
    /// a real folder named for a dead process and holding nothing but the timed run file (or
    /// its temporary) goes, and only if that file begins as DecayBench writes it.
    static func removeStaleFolders(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(folderPrefix) {
            let rest = name.dropFirst(folderPrefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0,
                  !StaleTemporaries.isAlive(pid) else { continue }
            let folder = temporary.appendingPathComponent(name).path
            var status = stat()
            guard lstat(folder, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR,
                  let entries = try? FileManager.default.contentsOfDirectory(atPath: folder),
                  entries.allSatisfy({ ($0 == "run.h5" || $0.hasPrefix("run.h5.tmp-"))
                                       && StaleTemporaries.isRecognisablyOurs(folder + "/" + $0) })
            else { continue }
            for entry in entries { unlink(folder + "/" + entry) }
            rmdir(folder)
        }
    }

    /// A finished record of `run` with every epoch filled in and, when kept, parameters of its shape.
    static func sampleRecord(_ run: PlannedRun, features: Int, outputs: Int, storesParameters: Bool) -> RunRecord {
        let configuration = run.configuration
        let epochs = (1...max(configuration.training.epochs, 1)).map { epoch in
            EpochRecord(epoch: epoch, multiplier: 1, trainLoss: 0.5, testLoss: 0.6, trainError: 0.1, testError: 0.2,
                        weightNorm: 3, seconds: 0.01)
        }
        var parameters: [RunRecord.NamedTensor] = []
        if storesParameters {
            // The shapes a run of this configuration trains (the calibration has built its
            // network, so they are valid); random values, since trained weights deflate about as little.
            let units = configuration.model.kind == .linear ? 1 : outputs
            let architecture = Architecture(inputs: features, hidden: configuration.model.hidden, outputs: units,
                                            activation: configuration.model.activation,
                                            loss: units == 1 ? .meanSquaredError : .softmaxCrossEntropy)
            var random = DeterministicRandom(seed: 1, stream: "saving calibration")
            parameters = architecture.parameterLayout.entries.map { entry in
                .init(name: entry.name, shape: entry.shape, values: (0..<entry.count).map { _ in Float(random.nextNormal()) })
            }
        }
        return RunRecord(run: run, status: .finished, message: "", epochs: epochs, parameters: parameters,
                         effectiveLambda: configuration.regularization.lambda,
                         appliedLambdas: [configuration.regularization.lambda], seconds: 0.01)
    }

    private static func median(_ body: () throws -> Void) throws -> Double {
        var seconds: [Double] = []
        for _ in 0..<repetitions {
            let started = ContinuousClock.now
            try body()
            seconds.append((ContinuousClock.now - started) / .seconds(1))
        }
        return seconds.sorted()[repetitions / 2]
    }
}
