import Analysis
import ArgumentParser
import Foundation
import Planning
import Results
import Runner

extension DecayBench {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a results file with a baseline; exit status 3 on a regression.",
            discussion: """
            Runs are matched by key, or by grid coordinates when keys changed. Per cell (a run's \
            coordinates without its seed) it reports the change in final test error, final test loss \
            and selected test error (at the best epoch: lowest validation error, or lowest test error \
            without a validation split) against the baseline's spread over \
            seeds. A rise beyond --threshold-sd of the baseline's seed standard deviations (default 3) \
            or beyond --threshold-abs is a regression, as is a run that finished in the baseline and \
            now diverges, fails or ends with a non-finite metric. Runs in only one file are listed. \
            Prints Markdown; exit status 0 no regression, 1 a failure while working (a write), 2 an \
            unreadable input or a wrong flag, 3 a regression, a run of the baseline with no result in \
            the new file (pending, or missing), or nothing to compare.
            """)

        @Argument(help: "The baseline results file.")
        var baseline: String

        @Argument(help: "The new results file.")
        var new: String

        @Option(help: "Regression threshold in seed standard deviations (default 3 unless only --threshold-abs is given).")
        var thresholdSd: Double?

        @Option(help: "Regression threshold in the metric's units (for example 0.01 = one percentage point of error).")
        var thresholdAbs: Double?

        @Option(help: "Also write the Markdown report to this file.")
        var markdown: String?

        @Option(help: "Write the report as JSON to this file.")
        var json: String?

        func validate() throws {
            if let thresholdSd, !(thresholdSd > 0) { throw ValidationError("--threshold-sd must be positive, got \(thresholdSd)") }
            if let thresholdAbs, !(thresholdAbs >= 0) { throw ValidationError("--threshold-abs must be 0 or more, got \(thresholdAbs)") }
            // A report is rewritten freely, but only over a regular file: never over a device,
            // a link or a directory, nor over the results it compares.
            for (flag, path) in [("--markdown", markdown), ("--json", json)] {
                guard let path else { continue }
                do { try OutputPath.check(path, allowingExisting: true, replacingAnyFile: true) } catch { throw ValidationError("\(flag): \(error)") }
                for input in [baseline, new] where OutputPath.nameSameFile(path, input) {
                    throw ValidationError("\(flag) \(path) is the results file \(input); choose another path for the report")
                }
                guard Self.isReplaceableReport(path, markdown: flag == "--markdown") else {
                    throw ValidationError("\(flag) \(path) exists and is not a report of compare; compare replaces only "
                                          + "an empty file or its own report: move it away or choose another path")
                }
            }
            if let markdown, let json, URL(fileURLWithPath: markdown).standardizedFileURL == URL(fileURLWithPath: json).standardizedFileURL
                || OutputPath.nameSameFile(markdown, json) {
                throw ValidationError("--markdown and --json both name \(json); give each its own file")
            }
        }

        /// Whether the file at `path` is missing, empty, or begins as the report compare writes
        /// there ("# Comparison: " in Markdown, the "baseline" member first in JSON): a nightly
        /// job rewrites its report freely, but a results file, a grid or notes given by mistake
        /// are not replaced.
        static func isReplaceableReport(_ path: String, markdown: Bool) -> Bool {
            guard let head = OutputPath.head(of: path, count: 64), !head.isEmpty else { return true }
            let text = String(decoding: head, as: UTF8.self)
            return markdown ? text.hasPrefix("# Comparison: ")
                            : text.hasPrefix("{") && text.dropFirst().drop(while: \.isWhitespace).hasPrefix("\"baseline\"")
        }

        func run() throws {
            let records = try [baseline, new].map { path -> [RunRecord] in
                // The comparison is of metrics: the tensors' values stay on disk (their shapes are checked).
                do { return try ResultsFile.read(at: path, tensors: .shapes) } catch { throw CommandFailure.input("cannot read \(path): \(error)") }
            }
            let thresholds = ResultsComparison.Thresholds(
                seedDeviations: thresholdSd ?? (thresholdAbs == nil ? 3 : nil), absolute: thresholdAbs)
            var comparison = ResultsComparison(baseline: records[0], new: records[1], thresholds: thresholds)
            // Both files were just read; a grid that cannot be read back leaves the list empty.
            if let grids = try? [baseline, new].map(ResultsFile.canonicalGridText(at:)) {
                comparison.gridDifferences = GridPlan.differences(between: grids[0], and: grids[1],
                                                                  labels: ("in the baseline", "in the new file"))
            }
            let text = comparison.markdown(baselineName: baseline, newName: new)
            print(text, terminator: "")
            if let markdown { try AtomicFile.write(Data(text.utf8), to: markdown) }
            if let json { try AtomicFile.write(try comparison.json(baselineName: baseline, newName: new), to: json) }
            // Files with no run in common compared nothing, and a file that lost runs of the
            // baseline shows less than it did: a nightly sweep must pass on neither.
            if comparison.fails { throw ExitCode(ExitStatus.badOutcome) }
        }
    }
}
