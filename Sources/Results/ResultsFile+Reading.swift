import Foundation
import HDF5Store
import Models
import Planning
import Training

extension ResultsFile {
    /// The canonical grid a results file was written for.
    public static func canonicalGridText(at path: String) throws -> String {
        let file = try HDF5File.open(at: path)
        return try rootText(file.root, "grid_canonical")
    }

    /// Whether the file says every planned run has a result (its `complete` attribute).
    public static func isComplete(at path: String) throws -> Bool {
        try HDF5File.open(at: path).root.int64Attribute("complete") == 1
    }

    /// How many runs of a results file have a result (finished, diverged or failed), read
    /// from /runs alone: no curves, no tensors.
    public static func resultCount(at path: String) throws -> Int {
        let table = try HDF5File.open(at: path).root.dataset("runs").readTable()
        guard case .strings(_, let statuses)? = table.column(named: "status") else {
            throw ResultsFileError("\(path): /runs lacks the column status")
        }
        return statuses.filter { $0 != RunRecord.RecordStatus.pending.rawValue }.count
    }

    /// Each run's key and status, read from /runs alone: no settings, curves or tensors.
    /// `status` reads a journal's part files this way: all of every one took 1.8 ms a file.
    public static func runStatuses(at path: String) throws -> [(key: String, status: RunRecord.RecordStatus)] {
        let table = try HDF5File.open(at: path).root.dataset("runs").readTable()
        guard case .strings(_, let keys)? = table.column(named: "key"), case .strings(_, let statuses)? = table.column(named: "status"),
              keys.count == statuses.count else {
            throw ResultsFileError("\(path): /runs lacks its key or status column; the file is damaged")
        }
        return try zip(keys, statuses).map { key, text in
            guard let status = RunRecord.RecordStatus(rawValue: text) else {
                throw ResultsFileError("\(path): run \(key) has an unknown status '\(text)'")
            }
            return (key, status)
        }
    }

    /// The grid file's text a results file was written for, verbatim.
    public static func gridText(at path: String) throws -> String {
        let file = try HDF5File.open(at: path)
        return try rootText(file.root, "grid_text")
    }

    /// The ids of the claims the file's grid declares it tests; empty when it declares none
    /// (or the file is from before grids declared claims).
    public static func declaredClaims(at path: String) throws -> [String] {
        let file = try HDF5File.open(at: path)
        guard try file.root.hasAttribute("claims") else { return [] }
        return try file.root.stringAttribute("claims").split(separator: ",").map(String.init)
    }

    /// The shard a results file holds ("I/N"), empty for a whole grid or a file from before shards.
    public static func shardText(at path: String) throws -> String {
        let file = try HDF5File.open(at: path)
        return try file.root.hasAttribute("shard") ? file.root.stringAttribute("shard") : ""
    }

    /// Every run in a results file, with its metrics, curves and parameters.
    ///
    /// Runs are identified by key; `plan` supplies each run's place in the grid, and runs of
    /// the plan that the file lacks come back pending.
    public static func readRecords(at path: String, plan: GridPlan) throws -> [RunRecord] {
        let stored = try readAll(at: path)
        let byKey = Dictionary(stored.map { ($0.run.key, $0) }, uniquingKeysWith: { first, _ in first })
        return plan.runs.map { run in
            guard var record = byKey[run.key] else { return RunRecord.pending(run) }
            record.run = run
            return record
        }
    }

    /// The single run of a shard (or of a `train` output).
    public static func readShard(at path: String) throws -> RunRecord {
        let records = try readAll(at: path)
        guard records.count == 1 else {
            throw ResultsFileError("\(path) holds \(records.count) runs; a shard holds exactly one")
        }
        return records[0]
    }

    /// Every run of a results file, in the file's order.
    public static func readAll(at path: String) throws -> [RunRecord] {
        try read(at: path)
    }

    /// A run's grid coordinates from its `coordinates` attribute: JSON, a list of [axis, label]
    /// pairs. Anything else is damage, said as such with the run and the file.
    static func coordinates(_ json: String, of key: String, in path: String) throws -> [PlannedRun.Coordinate] {
        let pairs = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String]]
        guard let pairs, pairs.allSatisfy({ $0.count == 2 }) else {
            throw ResultsFileError("\(path): the attribute coordinates of /config/\(key) is not a list of [axis, label] pairs "
                                   + "(\(ResultsFileError.excerpt(json))); the file is damaged")
        }
        return pairs.map { PlannedRun.Coordinate(axis: $0[0], label: $0[1]) }
    }

    /// How much of the runs' final tensors a reader takes.
    public enum TensorReading: Sendable {
        /// Their values (claims, merge, rerun).
        case values
        /// Their names and shapes only, checked as with `.values`; the records come back
        /// without parameters (inspect, compare, status: a damaged file is still refused).
        case shapes
    }

    /// The runs of a results file whose keys are in `keys` (every run when nil), in the file's
    /// order, with their tensors' values or with their shapes checked only.
    ///
    /// The file's table, its curves' shapes and the grid order of every row are checked
    /// whole; each run read is checked in full (its settings against its key, its tensors'
    /// shapes). Reading one run of a 100,000-run file, or the metrics of a file of wide
    /// models, then costs that run, or the metrics, not the whole file.
    public static func read(at path: String, keys wanted: Set<String>? = nil, tensors: TensorReading = .values) throws -> [RunRecord] {
        let file = try HDF5File.open(at: path)
        let version = try file.root.int64Attribute("schema_version")
        guard readableSchemas.contains(version) else {
            throw ResultsFileError("\(path) has results schema \(version); this decaybench reads schemas "
                                   + "\(readableSchemas.lowerBound) to \(readableSchemas.upperBound)")
        }
        let table = try file.root.dataset("runs").readTable()
        func strings(_ name: String) throws -> [String] {
            guard case .strings(_, let values)? = table.column(named: name) else { throw ResultsFileError("\(path): /runs lacks the column \(name)") }
            return values
        }
        func doubles(_ name: String) throws -> [Double] {
            guard case .float64(_, let values)? = table.column(named: name) else { throw ResultsFileError("\(path): /runs lacks the column \(name)") }
            return values
        }
        func integers(_ name: String) throws -> [Int64] {
            guard case .int64(_, let values)? = table.column(named: name) else { throw ResultsFileError("\(path): /runs lacks the column \(name)") }
            return values
        }
        let keys = try strings("key"), statuses = try strings("status"), messages = try strings("message")
        let epochsDone = try integers("epochs_done"), seconds = try doubles("seconds")
        // Files written before runs kept their provenance lack these columns: unknown.
        func optionalStrings(_ name: String) throws -> [String] {
            table.column(named: name) == nil ? [String](repeating: "", count: keys.count) : try strings(name)
        }
        let hosts = try optionalStrings("host"), blasCores = try optionalStrings("blas_core")
        let cpus = try optionalStrings("cpu"), commits = try optionalStrings("git_commit")
        guard statuses.count == keys.count, messages.count == keys.count, epochsDone.count == keys.count, seconds.count == keys.count,
              [hosts, blasCores, cpus, commits].allSatisfy({ $0.count == keys.count }) else {
            throw ResultsFileError("\(path): the columns of /runs differ in length; the file is damaged")
        }
        // A key is a run's identity: twice in one file, comparisons would silently drop one.
        var seenKeys = Set<String>()
        if let repeated = keys.first(where: { !seenKeys.insert($0).inserted }) {
            throw ResultsFileError("\(path): /runs holds run \(repeated) twice; the file is damaged")
        }

        let curves = try file.root.group("curves")
        var curveValues: [String: (values: [Float], shape: [Int])] = [:]
        for metric in curveMetrics {
            // Schema 1 has no validation curves: those runs had no validation split.
            if version < 2, metric.name.hasPrefix("validation_") { continue }
            let curve = try curves.dataset(metric.name).readFloats()
            guard curve.shape.count == 2, curve.shape[0] == keys.count else {
                throw ResultsFileError("\(path): /curves/\(metric.name) has shape \(curve.shape) for \(keys.count) runs; the file is damaged")
            }
            curveValues[metric.name] = curve
        }
        // Every curve holds one column per epoch: a file whose curves disagree is damaged, and
        // reading the shorter ones by the longer's count would run past their ends.
        let columnCounts = Set(curveValues.values.map { $0.shape[1] })
        guard columnCounts.count <= 1 else {
            let shapes = curveValues.keys.sorted().map { "\($0): \(curveValues[$0]!.shape[1])" }.joined(separator: ", ")
            throw ResultsFileError("\(path): the curves hold different numbers of epochs (\(shapes)); the file is damaged")
        }
        let epochColumns = columnCounts.first ?? 0
        let hasParameters = try file.root.contains("params")
        var records: [RunRecord] = []
        var previous: (key: String, index: Int)?
        for (row, key) in keys.enumerated() {
            let reading = wanted?.contains(key) ?? true
            guard !reading || (epochsDone[row] >= 0 && epochsDone[row] <= epochColumns) else {
                throw ResultsFileError("\(path): run \(key) claims \(epochsDone[row]) epochs but its curves hold \(epochColumns); the file is damaged")
            }
            let group = try file.root.group("config/\(key)")
            let index = Int(try group.int64Attribute("index"))
            // Rows are written in grid order: a key moved to another row (with its settings)
            // would give that row's curves and tensors to another run. Checked on every row,
            // read or not: a move shows as two rows out of order, which need not include the run read.
            if let previous, index <= previous.index {
                throw ResultsFileError("\(path): /runs lists run \(key) (grid index \(index)) after run \(previous.key) "
                                       + "(grid index \(previous.index)), out of grid order: keys were moved between rows; the file is damaged")
            }
            previous = (key, index)
            guard reading else { continue }
            let configuration: RunConfiguration
            let json = try group.stringAttribute("json")
            do {
                configuration = try RunConfiguration.decode(canonicalJSON: json)
            } catch let error as DecodingError {
                throw ResultsFileError("\(path): the attribute json of /config/\(key) is not a configuration "
                                       + "(\(ResultsFileError.brief(error))); the file is damaged")
            }
            // The key is the hash of the configuration: another run's settings under this key
            // would be read, compared and merged as this run's.
            let storedKey = RunConfiguration.key(ofCanonicalJSON: json)
            guard storedKey == key else {
                throw ResultsFileError("\(path): /config/\(key) holds the settings of another run (they hash to key \(storedKey)); the file is damaged")
            }
            let coordinates = try Self.coordinates(try group.stringAttribute("coordinates"), of: key, in: path)
            let run = PlannedRun(
                index: index, block: Int(try group.int64Attribute("block")),
                coordinates: coordinates, configuration: configuration)
            guard let status = RunRecord.RecordStatus(rawValue: statuses[row]) else {
                throw ResultsFileError("\(path): run \(key) has an unknown status '\(statuses[row])'")
            }
            var epochs: [EpochRecord] = []
            for epoch in 0..<Int(epochsDone[row]) {
                func value(_ name: String) -> Double {
                    guard let (values, shape) = curveValues[name] else { return .nan }
                    return Double(values[row * shape[1] + epoch])
                }
                epochs.append(EpochRecord(
                    epoch: epoch + 1, multiplier: value("lr_multiplier"), trainLoss: value("train_loss"),
                    testLoss: value("test_loss"), trainError: value("train_error"), testError: value("test_error"),
                    weightNorm: value("weight_norm"), seconds: value("epoch_seconds"),
                    validationLoss: value("validation_loss"), validationError: value("validation_error")))
            }
            var parameters: [RunRecord.NamedTensor] = []
            if hasParameters, try file.root.group("params").contains(key) {
                let stored = try file.root.group("params/\(key)")
                for name in try stored.childNames() {
                    let dataset = try stored.dataset(name)
                    let (values, shape) = tensors == .values ? try dataset.readFloats() : ([], try dataset.shape)
                    parameters.append(RunRecord.NamedTensor(name: name, shape: shape, values: values))
                }
                parameters.sort { Self.parameterOrder($0.name) < Self.parameterOrder($1.name) }
                let widths = configuration.data.shapeWithoutReading.map { (inputs: $0.features, outputs: $0.outputs) }
                if !parameters.isEmpty, let problem = Self.parameterProblem(parameters, hidden: configuration.model.hidden, widths: widths) {
                    throw ResultsFileError("\(path): the final parameters of run \(key) are incomplete: \(problem); the file is damaged")
                }
                if tensors == .shapes { parameters = [] }
            }
            let appliedLambda = try group.doubleAttribute(version < 2 ? "effective_lambda" : "applied_lambda")
            let appliedLambdas = version < 2 ? [appliedLambda] : try group.doublesAttribute("applied_lambdas")
            var record = RunRecord(
                run: run, status: status, message: messages[row], epochs: epochs, parameters: parameters,
                effectiveLambda: appliedLambda, appliedLambdas: appliedLambdas, seconds: seconds[row],
                computedBy: RunProvenance(host: hosts[row], blasCore: blasCores[row], cpu: cpus[row], gitCommit: commits[row]))
            // Files written before the format was recorded hold format 1.
            record.configurationFormat = try group.hasAttribute("configuration_format") ? try group.int64Attribute("configuration_format") : 1
            records.append(record)
        }
        return records
    }

    /// Nil when `tensors` are every parameter of a network with these hidden widths, in the
    /// shapes of its `Architecture.parameterLayout`; otherwise what is wrong. The input and
    /// output widths are `widths` where the run's data spec tells them (MNIST-like and
    /// synthetic sets), else taken from the first and last weights themselves: then a damaged
    /// first weight is measured against its own width.
    static func parameterProblem(_ tensors: [RunRecord.NamedTensor], hidden: [Int], widths: (inputs: Int, outputs: Int)? = nil) -> String? {
        var shapes: [String: [Int]] = [:]
        for tensor in tensors { shapes[tensor.name] = tensor.shape }
        let last = "layer\(hidden.count).weight"
        if widths == nil {
            for name in ["layer0.weight", last] where shapes[name]?.count != 2 {
                return shapes[name].map { "\(name) has shape \($0), not [out, in]" } ?? "\(name) is missing"
            }
        }
        let (inputs, outputs) = widths ?? (shapes["layer0.weight"]![1], shapes[last]![0])
        // Architecture traps on widths below 1: a damaged file must be an error, not a crash.
        guard inputs >= 1, outputs >= 1, hidden.allSatisfy({ $0 >= 1 }) else {
            return "a width below 1 (inputs \(inputs), hidden \(hidden), outputs \(outputs))"
        }
        // The loss only decides which output counts are allowed; one output is a regression's.
        let architecture = Architecture(inputs: inputs, hidden: hidden, outputs: outputs, activation: .relu,
                                        loss: outputs == 1 ? .meanSquaredError : .softmaxCrossEntropy)
        let expected = architecture.parameterLayout.entries.map { (name: $0.name, shape: $0.shape) }
        var problems: [String] = []
        for (name, shape) in expected {
            guard let stored = shapes[name] else { problems.append("\(name) is missing"); continue }
            if stored != shape { problems.append("\(name) has shape \(stored), not \(shape)") }
        }
        let unexpected = Set(shapes.keys).subtracting(expected.map(\.name)).sorted()
        if !unexpected.isEmpty { problems.append("unexpected tensors \(unexpected.joined(separator: ", "))") }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Sorts "layer10.weight" after "layer2.bias": HDF5 lists names alphabetically.
    static func parameterOrder(_ name: String) -> (Int, String) {
        let digits = name.drop { !$0.isNumber }.prefix { $0.isNumber }
        return (Int(digits) ?? 0, name.hasSuffix("weight") ? "a" : "b")
    }
}
