import Datasets
import Foundation
import HDF5Store
import Planning
import Training

/// The results file: the contract between DecayBench and every tool that reads its output.
///
/// Layout (schema 3; README "Results file" documents it for readers):
/// - root attributes: schema version, kind, grid text and canonical form, the claims the grid
///   declares (comma-separated ids), the shard ("I/N",
///   empty for a whole grid), the split that chose best epochs, provenance of the writer,
///   jobs, threads, UTC start and end, command line, whether every run is done;
/// - `/runs`: one compound row per run, fixed-length strings, with where each run was computed;
/// - `/curves/<metric>`: float32 [run, epoch], NaN where a run has no such epoch;
/// - `/grid/<metric>`: float64 arrays over the grid's axes, with dimension scales;
/// - `/config/<key>`: every setting of the run as attributes, plus its canonical JSON;
/// - `/data_files`: each distinct list of data-file fingerprints, numbered;
/// - `/params/<key>/<tensor>`: final tensors, compressed, when stored.
///
/// Files are written whole to a temporary name and renamed into place, so a reader never
/// sees a half-written file and a crash never damages an existing one.
public enum ResultsFile {
    /// 2: validation curves and columns, `selected_on`, NaN final and best metrics for runs
    /// that did not finish (`last_finite_*` instead), λ_norm and the applied λ.
    /// 3: each distinct list of data files once in `/data_files`, runs naming theirs by number.
    public static let schemaVersion: Int64 = 3
    /// Schemas this build reads (1 lacks validation; its runs read back without it).
    static let readableSchemas: ClosedRange<Int64> = 1...3

    /// Facts about the session that wrote a file.
    public struct Metadata: Sendable {
        /// "grid", "train" or "shard" (one run of a grid in progress).
        public var kind: String
        public var commandLine: String
        public var jobs: Int
        public var blasThreads: Int
        public var startedUTC: Date
        public var finishedUTC: Date
        /// Whether every planned run has a result.
        public var complete: Bool
        /// Where and with what the results were computed.
        public var provenance: Provenance
        /// The files each data set was read from, fingerprinted when the session began.
        public var dataFiles: [DataSpec: [DataFileFingerprint]] = [:]

        public init(kind: String, commandLine: String, jobs: Int, blasThreads: Int,
                    startedUTC: Date, finishedUTC: Date, complete: Bool, provenance: Provenance) {
            self.kind = kind
            self.commandLine = commandLine
            self.jobs = jobs
            self.blasThreads = blasThreads
            self.startedUTC = startedUTC
            self.finishedUTC = finishedUTC
            self.complete = complete
            self.provenance = provenance
        }

        /// The metadata of one finished run of a grid in progress.
        public static func shard(commandLine: String, provenance: Provenance) -> Metadata {
            Metadata(kind: "shard", commandLine: commandLine, jobs: 1, blasThreads: 1,
                     startedUTC: Date(), finishedUTC: Date(), complete: true, provenance: provenance)
        }
    }

    /// Who a file is written for.
    public enum Audience: Sendable {
        /// People and their tools: descriptions and units, dimension scales, the runs' labels
        /// as coordinates, every setting as an attribute of its own.
        case readers
        /// A grid's run journal (`OUT.parts/`): only what `readAll` reads back, so that a
        /// finished run survives a killed grid at a fraction of the cost (HDF5's work for
        /// those extras was about half of a small run's file). The results file assembled
        /// from the journal is written for readers.
        case journal
    }

    /// Writes `records` (in order) to `path`, replacing it atomically.
    ///
    /// - Parameters:
    ///   - plan: the grid, for the root attributes and `/grid`; nil for a single run or a shard.
    public static func write(records: [RunRecord], plan: GridPlan?, metadata: Metadata, to path: String,
                             durable: Bool = true, for audience: Audience = .readers) throws {
        try AtomicFile.write(try image(records: records, plan: plan, metadata: metadata, name: path, for: audience),
                             to: path, durable: durable)
    }

    /// The bytes of a results file holding `records`, built in memory: only the final plain
    /// write touches the disk, so a full disk is one clear error, never a failure inside HDF5.
    /// - Parameter name: how errors name the file.
    public static func image(records: [RunRecord], plan: GridPlan?, metadata: Metadata, name: String,
                             for audience: Audience = .readers) throws -> Data {
        let forReaders = audience == .readers
        let file = try HDF5File.createInMemory(name: name)
        defer { try? file.close() }
        try writeRoot(file.root, records: records, plan: plan, metadata: metadata)
        try file.root.writeTable("runs", RunsTable.table(records))
        if forReaders {
            try describe(file.root.dataset("runs"), "one row per run, in grid order; see the README for the columns", units: "")
        }
        try writeCurves(file.root.createGroup("curves"), records, forReaders: forReaders)
        if forReaders { try CurveCoordinates.write(file.root.group("curves"), records: records, plan: plan) }
        try writeConfigurations(file.root.createGroup("config"), records, forReaders: forReaders)
        try writeReproductionFacts(file.root, records: records, metadata: metadata)
        if let plan { try GridArrays.write(file.root.createGroup("grid"), plan: plan, records: records) }
        let withParameters = records.filter { !$0.parameters.isEmpty }
        if !withParameters.isEmpty { try writeParameters(file.root.createGroup("params"), withParameters, forReaders: forReaders) }
        return try file.image()
    }

    // MARK: - Parts

    private static func writeRoot(_ root: HDF5Group, records: [RunRecord], plan: GridPlan?, metadata: Metadata) throws {
        let provenance = metadata.provenance
        let iso = ISO8601DateFormatter()
        let attributes: [(String, HDF5AttributeValue)] = [
            ("schema_version", .int64(schemaVersion)),
            ("kind", .string(metadata.kind)),
            ("name", .string(plan?.name ?? records.first?.run.key ?? "")),
            ("description", .string(plan?.description ?? "")),
            ("grid_text", .string(plan?.sourceText ?? "")),
            ("grid_canonical", .string(plan?.canonicalText ?? "")),
            ("claims", .string(plan?.claims.joined(separator: ",") ?? "")),
            ("complete", .int64(metadata.complete ? 1 : 0)),
            ("shard", .string(plan?.shard?.description ?? "")),
            ("run_count", .int64(Int64(records.count))),
            ("selected_on", .string(selectionSplits(records))),
            ("decaybench_version", .string(provenance.harnessVersion)),
            ("git_commit", .string(provenance.gitCommit)),
            ("swift_version", .string(provenance.swiftVersion)),
            ("hdf5_version", .string(provenance.hdf5Version)),
            ("openblas_config", .string(provenance.openBLASConfiguration)),
            ("blas_core", .string(provenance.blasCoreName)),
            ("openblas_environment", .string(provenance.openBLASEnvironment)),
            ("cpu", .string(provenance.cpu)),
            ("logical_cores", .int64(Int64(provenance.logicalCores))),
            ("host", .string(provenance.hostName)),
            ("jobs", .int64(Int64(metadata.jobs))),
            ("blas_threads", .int64(Int64(metadata.blasThreads))),
            ("started_utc", .string(iso.string(from: metadata.startedUTC))),
            ("finished_utc", .string(iso.string(from: metadata.finishedUTC))),
            ("command_line", .string(metadata.commandLine)),
        ]
        for (name, value) in attributes {
            if case .string(let text) = value, text.utf8.count > longestTextAttribute {
                try root.writeStrings(name, [text]).setAttribute(
                    "description", .string("the root attribute \(name), kept as a one-string dataset: it is longer than an attribute holds"))
            } else {
                try root.setAttribute(name, value)
            }
        }
    }

    /// Bytes of the longest text stored as a root attribute: HDF5 keeps the root group's
    /// attributes in one object header message each, of at most 64 KiB with the name and type.
    /// A longer text (the grid file of a 20,000-value axis, the canonical form of 80 blocks) is
    /// a one-string dataset of the same name at the root; grids of that size trained every run
    /// and then failed to write their results file.
    static let longestTextAttribute = 64_000

    /// The root text `name`: the attribute, or the dataset that holds a text too long for one.
    static func rootText(_ root: HDF5Group, _ name: String) throws -> String {
        if try !root.hasAttribute(name), try root.contains(name), let text = try root.dataset(name).readStrings().first {
            return text
        }
        return try root.stringAttribute(name)
    }

    /// The per-epoch metrics, as (dataset name, description, units, value of an epoch).
    static let curveMetrics: [(name: String, description: String, units: String, value: @Sendable (EpochRecord) -> Double)] = [
        ("train_loss", "mean data loss (no penalty) over the training split after each epoch", "nats (cross-entropy) or squared target units (MSE)", { $0.trainLoss }),
        ("test_loss", "mean data loss over the test split after each epoch", "nats (cross-entropy) or squared target units (MSE)", { $0.testLoss }),
        ("train_error", "misclassified fraction (classification) or mean squared error (regression) on the training split", "fraction or squared target units", { $0.trainError }),
        ("test_error", "misclassified fraction (classification) or mean squared error (regression) on the test split", "fraction or squared target units", { $0.testError }),
        ("validation_loss", "mean data loss over the validation split after each epoch; NaN without a validation split", "nats (cross-entropy) or squared target units (MSE)", { $0.validationLoss }),
        ("validation_error", "misclassified fraction (classification) or mean squared error (regression) on the validation split; NaN without one", "fraction or squared target units", { $0.validationError }),
        ("weight_norm", "L2 norm of the weights (biases excluded) after each epoch", "parameter units", { $0.weightNorm }),
        ("lr_multiplier", "schedule multiplier eta_t at the epoch's last step; the learning rate is lr * eta_t", "1", { $0.multiplier }),
        ("epoch_seconds", "wall-clock seconds of the epoch's training steps, evaluation excluded", "s", { $0.seconds }),
    ]

    private static func writeCurves(_ group: HDF5Group, _ records: [RunRecord], forReaders: Bool) throws {
        let epochs = records.map { $0.run.configuration.training.epochs }.max() ?? 0
        guard forReaders else {
            for metric in curveMetrics {
                try group.writeDataset(metric.name, curve(metric.value, records, epochs: epochs), shape: [records.count, epochs])
            }
            return
        }
        let runScale = try group.writeDataset("run", records.map { Int64($0.run.index) }, shape: [records.count])
        try describe(runScale, "run index, the row of /runs", units: "1")
        try runScale.makeDimensionScale()
        let epochScale = try group.writeDataset("epoch", (0..<epochs).map { Int64($0 + 1) }, shape: [epochs])
        try describe(epochScale, "epoch number, from 1", units: "epoch")
        try epochScale.makeDimensionScale()
        for metric in curveMetrics {
            let values = curve(metric.value, records, epochs: epochs)
            let dataset = try group.writeDataset(metric.name, values, shape: [records.count, epochs],
                                                 storage: records.count * epochs > 0 ? .compressed() : .contiguous)
            try describe(dataset, metric.description + "; NaN after a divergence or beyond a run's epochs", units: metric.units)
            try dataset.attachDimensionScale(runScale, toDimension: 0)
            try dataset.attachDimensionScale(epochScale, toDimension: 1)
        }
    }

    /// One metric of every run, a row per run and a column per epoch: NaN after a divergence
    /// or beyond a run's epochs.
    private static func curve(_ value: (EpochRecord) -> Double, _ records: [RunRecord], epochs: Int) -> [Float] {
        var values = [Float](repeating: .nan, count: records.count * epochs)
        for (row, record) in records.enumerated() {
            for (column, epoch) in record.epochs.enumerated() where column < epochs {
                values[row * epochs + column] = Float(value(epoch))
            }
        }
        return values
    }

    private static func writeConfigurations(_ group: HDF5Group, _ records: [RunRecord], forReaders: Bool) throws {
        if forReaders {
            try group.setAttribute("description", .string("one group per run key; its attributes are every setting of the run (defaults included) and 'json', the canonical configuration"))
        }
        for record in records {
            let child = try group.createGroup(record.run.key)
            let json = record.run.configuration.canonicalJSON
            try child.setAttribute("json", .string(json))
            try child.setAttribute("key", .string(record.run.key))
            try child.setAttribute("index", .int64(Int64(record.run.index)))
            try child.setAttribute("block", .int64(Int64(record.run.block)))
            let coordinates = record.run.coordinates.map { [$0.axis, $0.label] }
            let coordinateJSON = try JSONSerialization.data(withJSONObject: coordinates, options: [.withoutEscapingSlashes])
            try child.setAttribute("coordinates", .string(String(decoding: coordinateJSON, as: UTF8.self)))
            try child.setAttribute("applied_lambda", .double(record.effectiveLambda))
            try child.setAttribute("applied_lambdas", .doubles(record.appliedLambdas))
            // The rest repeats the JSON for people and their tools.
            guard forReaders else { continue }
            try child.setAttribute("stream_seed", .string(String(record.run.configuration.streamSeed)))
            let regularization = record.run.configuration.regularization
            try child.setAttribute("lambda_norm", .double(regularization.normalized ? regularization.lambda : .nan))
            for (name, value) in ConfigurationAttributes.flatten(record.run.configuration) {
                try child.setAttribute(name, value)
            }
        }
    }

    /// Tensors of at least this many values are deflated; smaller ones are stored whole.
    /// Trained Float32 weights deflate by only about a tenth, and a chunked, filtered dataset
    /// costs a few kilobytes of index and headers: below 64 KiB that costs more than it saves
    /// (the 63-run equivalence grid's file, 784-8-10 tensors, went from 2.67 MB to 2.25 MB).
    static let smallestCompressedTensor = 16_384

    private static func writeParameters(_ group: HDF5Group, _ records: [RunRecord], forReaders: Bool) throws {
        if forReaders {
            try group.setAttribute("description", .string("final parameters per run key; dense-layer weights are [out, in] (PyTorch's layout), biases [out]"))
        }
        for record in records {
            let child = try group.createGroup(record.run.key)
            for tensor in record.parameters {
                let storage: HDF5StorageOptions = tensor.values.count < smallestCompressedTensor
                    ? .contiguous : .compressed(level: 4, chunkShape: tensor.shape)
                let dataset = try child.writeDataset(tensor.name, tensor.values, shape: tensor.shape, storage: storage)
                if forReaders { try describe(dataset, "final value of \(tensor.name)", units: "parameter units") }
            }
        }
    }

    /// The split that chose best epochs: "validation", "test", or both joined by "+" when
    /// the runs differ (a grid with a validation axis).
    static func selectionSplits(_ records: [RunRecord]) -> String {
        let splits = Set(records.map { $0.outcome.selectedOn })
        return SelectionSplit.allCases.filter(splits.contains).map(\.rawValue).joined(separator: "+")
    }

    static func describe(_ object: HDF5Object, _ description: String, units: String) throws {
        try object.setAttribute("description", .string(description))
        try object.setAttribute("units", .string(units))
    }
}
