import ArgumentParser
import Datasets
import GridFiles
import Foundation
import Planning
import Runner

extension DecayBench {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a grid file and show its runs, axes and an estimated time, without training.")

        @Argument(help: "The grid file (YAML).")
        var grid: String

        @Option(help: "Parallel workers the estimate assumes (default: the number of cores).")
        var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: "How many runs to list.")
        var show: Int = 10

        @Flag(help: "Allow a grid of more than \(GridLimits.runs) runs (up to \(GridLimits.forcedRuns)).")
        var force = false

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
            guard show >= 0 else { throw ValidationError("--show must be 0 or more, got \(show)") }
        }

        func run() throws {
            let plan = try GridLoading.plan(path: grid, allowingLargeGrids: force)
            print("grid \(plan.name): \(plan.runs.count) runs" + (plan.description.isEmpty ? "" : " — \(plan.description)"))
            if !plan.claims.isEmpty { print("claims it tests: " + plan.claims.joined(separator: ", ")) }
            print("axes (\(plan.shape.map(String.init).joined(separator: " × ")) cells):")
            let width = plan.axes.map(\.name.count).max() ?? 0
            for axis in plan.axes {
                print("  " + axis.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + axis.labels.joined(separator: ", "))
            }
            print("first runs:")
            for run in plan.runs.prefix(show) {
                let labels = run.coordinates.map { "\($0.axis)=\($0.label)" }.joined(separator: " ")
                print(String(format: "  %4d  %@  %@", run.index, run.key, labels))
            }
            if plan.runs.count > show { print("  … and \(plan.runs.count - show) more") }
            if let note = RepeatedRuns(plan).note { print(note) }
            // MNIST-like sets have their shape without being read, so nothing else would look
            // for their files: a missing directory must fail here as it fails `run`.
            var looked = Set<DataSpec>()
            for run in plan.runs where [.fashionMNIST, .mnist].contains(run.configuration.data.source)
                && looked.insert(run.configuration.data).inserted {
                do {
                    _ = try DatasetLocator().idxFiles(for: run.configuration.data.source, path: run.configuration.data.path)
                } catch {
                    throw CommandFailure.input("cannot find the data set of run \(run.index): \(error)")
                }
            }
            let estimate = try TimeEstimate.make(for: plan, jobs: jobs)
            print(estimate.text)
        }
    }
}
