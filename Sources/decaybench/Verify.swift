import ArgumentParser
import Datasets
import Foundation
import Reproduction
import Results
import Runner

extension DecayBench {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rerun a seeded sample of a results file's runs and check each is bit-identical.",
            discussion: """
            Prints one line per run (pass; FAIL, with what differs; or ERROR for a run that could not be \
            rerun here: its data missing, a format this build cannot rerun, BLAS threads that do not fit) \
            and the recorded facts that differ from this environment. Exit status: 0 every sampled run \
            reproduced, 3 a run differs, its stored configuration was altered or no run has finished, 1 no \
            run differs but some could not be rerun, 2 the file could not be read.
            """)

        @Argument(help: "A results file.")
        var results: String

        @Option(help: "How many runs to rerun (default: every run).")
        var sample: Int?

        @Option(help: "Seed of the sample.")
        var seed: UInt64 = 0

        func validate() throws {
            if let sample, sample < 1 { throw ValidationError("--sample must be at least 1, got \(sample)") }
        }

        func run() throws {
            let statuses = try CommandFailure.readingInput { try ResultsFile.runStatuses(at: results) }
            let chosenKeys = VerificationSample.choose(sample ?? statuses.count, of: statuses, seed: seed)
            let chosen = try CommandFailure.readingInput { try StoredRun.load(from: results, keys: Set(chosenKeys)) }
            StandardOutput.printNow("verifying \(chosen.count) of \(statuses.count) runs of \(results)" + (sample == nil ? "" : " (sample seed \(seed))"))
            // A check that checked nothing must not pass: a nightly job would read it as reproduced.
            guard !chosen.isEmpty else {
                StandardOutput.printNow("nothing to verify: no run of \(results) has finished or diverged")
                throw ExitCode(ExitStatus.badOutcome)
            }
            StandardOutput.printNow("result  key               labels")
            var datasets: [DataSpec: Dataset] = [:]
            var failures = 0, unchecked = 0
            for stored in chosen {
                // "FAIL" is for a run that differs or whose stored configuration was edited;
                // one this environment cannot train again (its data gone, its threads beyond
                // the address-space limit) was not checked, which is not the same finding.
                let result: String, detail: String
                do {
                    let rerun = try RunReplay.rerun(stored, datasets: &datasets)
                    let comparison = RunComparison(stored: stored.record, rerun: rerun)
                    (result, detail) = comparison.identical ? ("pass", "") : ("FAIL", comparison.summary)
                } catch let error as ReproductionError where error.storedRunAltered {
                    (result, detail) = ("FAIL", error.description)
                } catch {
                    (result, detail) = ("ERROR", "not checked: \(error)")
                }
                if result == "FAIL" { failures += 1 }
                if result == "ERROR" { unchecked += 1 }
                StandardOutput.printNow("\(result.padding(toLength: 6, withPad: " ", startingAt: 0))  \(stored.key)  \(RunLabels.text(stored.record.run))"
                                        + (detail.isEmpty ? "" : "\n        " + detail.replacingOccurrences(of: "\n", with: "\n        ")))
            }
            if let first = chosen.first, unchecked < chosen.count {
                StandardOutput.printNow(DriftReport.text(EnvironmentDrift(stored: first, current: .current()), identical: failures == 0))
            }
            let checked = chosen.count - unchecked
            var summary = failures == 0 ? (unchecked == 0 ? "all \(checked) reproduced bit for bit" : "\(checked) of \(chosen.count) reproduced bit for bit")
                                        : "\(failures) of \(chosen.count) did not reproduce"
            if unchecked > 0 { summary += "; \(unchecked) could not be rerun here, so were not checked" }
            StandardOutput.printNow(summary)
            if failures > 0 { throw ExitCode(ExitStatus.badOutcome) }
            // A verify that could not check every run it chose must not pass either.
            if unchecked > 0 { throw ExitCode(ExitStatus.failure) }
        }
    }
}
