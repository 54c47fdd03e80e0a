import Analysis
import ArgumentParser
import Foundation
import Planning
import Results

extension DecayBench {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a results file without Python: grid, provenance, status counts, summary and runs.",
            discussion: """
            Works on the files of `run` and of `train --out`. --where filters the runs table by labels \
            (optimizer=adam,penalty=decoupled; numbers match as numbers, so lr=1e-3 matches 0.001); \
            --key shows one run in full: every setting, its status and its curves epoch by epoch.
            """)

        @Argument(help: "A results file.")
        var results: String

        @Option(name: .customLong("where"), help: "Only runs with these labels, as axis=value,axis=value.")
        var selection: String = ""

        @Option(help: "Show one run in full (its key, or a unique prefix of it).")
        var key: String?

        @Option(help: "How many rows of the runs table to print.")
        var limit: Int = 50

        func validate() throws {
            guard limit >= 0 else { throw ValidationError("--limit must be 0 or more, got \(limit)") }
            do { _ = try RunSelection(selection) } catch { throw ValidationError("--where: \(error)") }
        }

        func run() throws {
            if let key {
                try showRun(matching: key)
                return
            }
            // The table shows metrics only: the tensors' values (a megabyte a run for a wide
            // MLP) stay on disk; their names and shapes are checked, so damage is still found.
            let (records, stored) = try CommandFailure.readingInput {
                (try ResultsFile.read(at: results, tensors: .shapes), try ResultsFile.rootAttributes(at: results))
            }
            let root = stored.mapValues(Self.visible)
            let filter = try RunSelection(selection)
            let unknown = filter.unknownAxes(in: records.map(\.run))
            guard unknown.isEmpty else {
                let axes = Self.axes(of: records).map(\.name)
                throw CommandFailure.input("--where: no run has a label on \(unknown.joined(separator: ", ")); the axes are \(axes.joined(separator: ", "))")
            }
            let selected = records.filter { filter.matches($0.run) }
            print(header(root, records: records))
            print("")
            print(provenance(root))
            print("")
            print(statusCounts(records))
            print("")
            if !selection.isEmpty { print("runs with \(selection): \(selected.count) of \(records.count)") }
            if selected.isEmpty && !records.isEmpty {
                // Empty tables would say nothing; the labels there are say what to ask for instead.
                for (axis, labels) in filter.labelsOnTermAxes(in: records.map(\.run)) {
                    print("  \(axis) takes \(labels.joined(separator: ", "))")
                }
                return
            }
            print(SummaryTable(records: selected).text)
            print("")
            print(runsTable(selected))
        }

        // MARK: - Sections

        private func header(_ root: [String: String], records: [RunRecord]) -> String {
            let kind = root["kind"] ?? "?"
            var lines = ["\(results): \(kind == "grid" ? "grid" : "\(kind) (one run)") '\(root["name"] ?? "")', results schema \(root["schema_version"] ?? "?"), "
                         + "\(records.count) run\(records.count == 1 ? "" : "s"), " + (root["complete"] == "1" ? "complete" : "incomplete")]
            if let description = root["description"], !description.isEmpty { lines.append("  " + description) }
            let axes = Self.axes(of: records)
            lines.append("axes (\(axes.map { String($0.labels.count) }.joined(separator: " × "))):")
            let width = axes.map(\.name.count).max() ?? 0
            for axis in axes {
                lines.append("  " + axis.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + axis.labels.joined(separator: ", "))
            }
            return lines.joined(separator: "\n")
        }

        private func provenance(_ root: [String: String]) -> String {
            let commit = root["git_commit"].map { $0 == "unknown" ? "unknown (built without git information)" : $0 } ?? "?"
            return """
            provenance: decaybench \(root["decaybench_version"] ?? "?"), commit \(commit)
              Swift \(root["swift_version"] ?? "?"), HDF5 \(root["hdf5_version"] ?? "?"), BLAS core \(root["blas_core"] ?? "?")
              OpenBLAS \(root["openblas_config"] ?? "?")
              OPENBLAS_* environment: \((root["openblas_environment"] ?? "").isEmpty ? "none" : root["openblas_environment"]!)
              CPU \(root["cpu"] ?? "?"), \(root["logical_cores"] ?? "?") logical cores, host \(root["host"] ?? "?")
              \(root["jobs"] ?? "?") jobs, \(root["blas_threads"] ?? "?") BLAS threads each; started \(root["started_utc"] ?? "?"), finished \(root["finished_utc"] ?? "?")
              command: \(root["command_line"] ?? "?")
            """
        }

        private func statusCounts(_ records: [RunRecord]) -> String {
            let counts = RunRecord.RecordStatus.allCases.map { status in "\(records.filter { $0.status == status }.count) \(status.rawValue)" }
            return "status: " + counts.joined(separator: ", ")
        }

        private func runsTable(_ records: [RunRecord]) -> String {
            var lines = ["index  key               status    epochs  final_test_error  best_test_error  labels"]
            for record in records.prefix(limit) {
                lines.append(String(format: "%5d  ", record.run.index) + record.run.key + "  "
                             + record.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                             + String(format: "  %6d  ", record.epochs.count)
                             + Self.rightAligned(Self.number(record.final?.testError), 16) + "  "
                             + Self.rightAligned(Self.number(record.best?.testError), 15) + "  " + Self.visible(RunLabels.text(record.run)))
            }
            if records.count > limit { lines.append("… and \(records.count - limit) more (--limit, --where)") }
            return lines.joined(separator: "\n")
        }

        /// One run in full, read alone: the others' settings and tensors are not read.
        private func showRun(matching key: String) throws {
            let keys = try CommandFailure.readingInput { try ResultsFile.runKeys(at: results) }
            let matching = KeyLookup.matches(keys, key: key, keyOf: { $0 })
            guard matching.count == 1, let storedKey = matching.first else {
                throw CommandFailure.input(matching.isEmpty ? "\(results) has no run with key \(key)"
                                           : KeyLookup.ambiguity(in: results, key: key, keys: matching))
            }
            let record = try CommandFailure.readingInput { try ResultsFile.read(at: results, keys: [storedKey])[0] }
            print("run \(record.run.index) of \(results): key \(record.run.key), block \(record.run.block)")
            print("labels: \(Self.visible(RunLabels.text(record.run)))")
            print("status: \(record.status.rawValue)" + (record.message.isEmpty ? "" : " (\(Self.visible(record.message)))")
                  + ", \(record.epochs.count) of \(record.run.configuration.training.epochs) epochs"
                  + (record.seconds.isFinite ? String(format: ", %.2f s", record.seconds) : ""))
            print("configuration (every setting, defaults included):")
            for (name, value) in try ResultsFile.configurationAttributes(at: results, key: storedKey) where name != "json" {
                print("  \(name) = \(Self.visible(value))")
            }
            print("curves:")
            let validation = record.run.configuration.data.hasValidationSplit
            print(EpochLine.header(validation: validation))
            for epoch in record.epochs { print(EpochLine.format(epoch, validation: validation)) }
            let outcome = record.outcome
            if let best = outcome.best {
                print("best epoch \(best.epoch) (lowest \(outcome.selectedOn.rawValue) error): test error " + Self.number(best.testError))
            } else if let last = outcome.lastFinite, outcome.final == nil {
                print("not a result (\(record.status.rawValue)); last finite epoch \(last.epoch): test error " + Self.number(last.testError))
            }
            if !record.parameters.isEmpty {
                print("final tensors: " + record.parameters.map { "\($0.name) \($0.shape)" }.joined(separator: ", "))
            }
        }

        // MARK: - Helpers

        /// The axes the runs carry labels on, in order of first appearance, with their labels.
        static func axes(of records: [RunRecord]) -> [GridPlan.Axis] {
            var axes: [GridPlan.Axis] = []
            for record in records {
                for coordinate in record.run.coordinates {
                    if let index = axes.firstIndex(where: { $0.name == coordinate.axis }) {
                        if !axes[index].labels.contains(coordinate.label) { axes[index].labels.append(coordinate.label) }
                    } else {
                        axes.append(GridPlan.Axis(name: coordinate.axis, labels: [coordinate.label]))
                    }
                }
            }
            return axes
        }

        /// `text` with its control characters written as escapes (a newline as "\n", ESC as
        /// "\u{1B}"): a file's name or description is anyone's text, and printed raw it could
        /// add lines ("status: 999 finished") or terminal escape sequences to what inspect shows.
        static func visible(_ text: String) -> String {
            guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
            return String(text.unicodeScalars.map { scalar -> String in
                guard scalar.properties.generalCategory == .control else { return String(scalar) }
                switch scalar {
                case "\n": return "\\n"
                case "\t": return "\\t"
                case "\r": return "\\r"
                default: return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                }
            }.joined())
        }

        static func rightAligned(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }

        static func number(_ value: Double?) -> String {
            guard let value else { return "-" }
            return String(format: "%.4f", value)
        }
    }
}
