import ArgumentParser
import Datasets
import Foundation
import Planning
import Reproduction
import Results
import Runner

extension DecayBench {
    struct Rerun: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train one run of a results file again, from the file alone, and compare it bit for bit.",
            discussion: """
            The run's configuration, data files (by path and SHA-256) and OpenBLAS thread count come from \
            the file. On the same machine kind and library versions the rerun is bit-identical; otherwise \
            the command says by how much it differs and which recorded facts differ from this environment. \
            Exit status: 0 bit-identical, 3 different, 2 a file, key or flag that does not fit (a pending run \
            among them), 1 a failure while rerunning.
            """)

        @Argument(help: "A results file (of `run` or `train --out`).")
        var results: String

        @Option(help: "The run's key (a unique prefix will do); `decaybench inspect` lists them.")
        var key: String

        @Option(help: "Also write the rerun as a one-run results file here.")
        var out: String?

        func validate() throws {
            if let out {
                do { try OutputPath.check(out, allowingExisting: false, replaceFlag: nil) } catch { throw ValidationError("--out: \(error)") }
            }
        }

        func run() throws {
            // Claimed before the run is trained again, so that a held output refuses at once
            // instead of after the work (not into an output a `run` holds either).
            let lock = try out.map { try OutputLock(resultsPath: $0) }
            defer { lock?.release() }
            let token = Interruption.onInterrupt(release: lock)
            defer { Interruption.remove(token) }
            let stored = try CommandFailure.readingInput { try StoredRun.load(from: results, key: key) }
            guard stored.record.status != .pending else {
                // Training it would "differ" from nothing and read as a bug.
                throw CommandFailure.input("run \(stored.key) of \(results) is pending: it has no result to compare with; "
                                           + "finish the grid with `decaybench run --resume` first")
            }
            StandardOutput.printNow("rerunning run \(stored.key) of \(results): \(RunLabels.text(stored.record.run))")
            let started = Date()
            var datasets: [DataSpec: Dataset] = [:]
            let rerun: RunRecord
            do {
                rerun = try RunReplay.rerun(stored, datasets: &datasets)
            } catch let error as ReproductionError where error.storedRunAltered {
                // What verify reports as FAIL: the stored run is not what ran, which is an outcome
                // (status 3), not a failure of this environment to rerun it (1).
                StandardOutput.printNow("FAIL: \(error)")
                throw ExitCode(ExitStatus.badOutcome)
            }
            let comparison = RunComparison(stored: stored.record, rerun: rerun)
            StandardOutput.printNow(comparison.summary)
            let drift = EnvironmentDrift(stored: stored, current: .current())
            StandardOutput.printNow(DriftReport.text(drift, identical: comparison.identical))
            if let out {
                var metadata = ResultsFile.Metadata(
                    kind: "rerun", commandLine: CommandLine.arguments.joined(separator: " "), jobs: 1,
                    blasThreads: rerun.run.configuration.training.blasThreads, startedUTC: started, finishedUTC: Date(),
                    complete: true, provenance: .current())
                metadata.dataFiles = [rerun.run.configuration.data: try DataFileFingerprint.files(of: rerun.run.configuration.data)]
                try ResultsFile.write(records: [rerun], plan: .singleRun(rerun.run, name: rerun.run.key), metadata: metadata, to: out)
                StandardOutput.printNow("wrote \(out)")
            }
            if !comparison.identical { throw ExitCode(ExitStatus.badOutcome) }
        }
    }
}

/// The recorded facts beside this environment's, as `rerun` and `verify` print them.
enum DriftReport {
    static func text(_ drift: EnvironmentDrift, identical: Bool) -> String {
        let differing = drift.differing
        if differing.isEmpty {
            return identical
                ? "every recorded fact (commit, Swift, HDF5, OpenBLAS, BLAS core, CPU, data files) matches this environment"
                : "every recorded fact matches this environment, yet the numbers differ: this is not drift but a bug (or an edited file)"
        }
        var lines = [identical ? "recorded facts that differ here (the numbers agree nonetheless):"
                               : "recorded facts that differ from this environment (a likely cause):"]
        let width = differing.map(\.name.count).max() ?? 0
        for fact in differing {
            lines.append("  " + fact.name.padding(toLength: width, withPad: " ", startingAt: 0)
                         + "  recorded: \(fact.recorded)\n  " + String(repeating: " ", count: width) + "  now:      \(fact.current)")
        }
        if !identical, let core = drift.recordedBLASCoreToRequest {
            lines.append("""
                hint: OpenBLAS runs other kernels here than those the run was computed with, and they
                      round sums differently. To use the recorded ones (where this processor has their
                      instructions), run the command again as: OPENBLAS_CORETYPE=\(core) decaybench …
                """)
        }
        return lines.joined(separator: "\n")
    }
}

/// A run's labels on its axes, "penalty=l2 lambda=0.001 …".
enum RunLabels {
    static func text(_ run: PlannedRun) -> String {
        run.coordinates.map { "\($0.axis)=\($0.label)" }.joined(separator: " ")
    }
}
