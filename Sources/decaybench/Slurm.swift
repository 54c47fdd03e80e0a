import ArgumentParser
import GridFiles
import Foundation
import Planning
import Results
import Runner

extension DecayBench {
    struct Slurm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write (and with --submit, submit) a Slurm job array that runs a grid in shards, and its merge.",
            discussion: """
            Writes into DIR: grid.yaml (a copy of the grid), shards.sbatch (one array task per shard, \
            each with --jobs from SLURM_CPUS_PER_TASK, resuming what its shard has finished) and \
            merge.sbatch (joins the shards into DIR/merged.h5; submitted with afterok on the array). \
            Follow a sweep with `squeue` and `decaybench status DIR`.
            """)

        @Argument(help: "The grid file (YAML).")
        var grid: String

        @Option(help: "How many shards (array tasks).")
        var shards: Int

        @Option(help: "The sweep directory: scripts, shard files, logs and merged.h5 go there.")
        var out: String

        @Option(help: "Slurm partition.")
        var partition: String?

        @Option(help: "Time limit per task, in Slurm's format (for example 2:00:00).")
        var time: String?

        @Option(help: "CPUs per task; each task runs this many parallel runs.")
        var cpusPerTask: Int = 1

        @Option(help: "Memory per task, in Slurm's format (for example 4G).")
        var mem: String?

        @Flag(help: "Submit the array and the merge with sbatch.")
        var submit = false

        @Flag(help: "Allow a grid of more than \(GridLimits.runs) runs (up to \(GridLimits.forcedRuns)).")
        var force = false

        func validate() throws {
            guard shards >= 1 else { throw ValidationError("--shards must be at least 1, got \(shards)") }
            guard cpusPerTask >= 1 else { throw ValidationError("--cpus-per-task must be at least 1, got \(cpusPerTask)") }
            // These go into "#SBATCH" lines of a script: a line break there would end the
            // header and run the rest as a shell command.
            if let problem = Self.headerValueProblem("--partition", partition, pattern: #"[A-Za-z0-9_.,-]+"#,
                                                     example: "a partition name, or several separated by commas")
                ?? Self.headerValueProblem("--time", time, pattern: #"(\d+-)?\d+(:\d+){0,2}|UNLIMITED|INFINITE"#,
                                           example: "minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S, for example 2:00:00")
                ?? Self.headerValueProblem("--mem", mem, pattern: #"\d+[KMGT]?"#, example: "megabytes, or a number with K, M, G or T, for example 4G") {
                throw ValidationError(problem)
            }
        }

        /// Why `value` cannot be written after "#SBATCH --flag=": it does not match `pattern` whole.
        static func headerValueProblem(_ flag: String, _ value: String?, pattern: String, example: String) -> String? {
            guard let value else { return nil }
            guard value.wholeMatch(of: try! Regex(pattern)) == nil else { return nil }
            return "\(flag) '\(value.unicodeScalars.map { $0.escaped(asASCII: true) }.joined())' is not in Slurm's format: expected \(example)"
        }

        func run() throws {
            let plan = try GridLoading.plan(path: grid, allowingLargeGrids: force)
            guard shards <= plan.runs.count else {
                throw CommandFailure.input("--shards \(shards) is more than the grid's \(plan.runs.count) runs; some shards would be empty")
            }
            let directory = URL(fileURLWithPath: out).standardizedFileURL.path
            if let problem = SlurmScripts.directoryProblem(directory) { throw CommandFailure.input("--out: \(problem)") }
            try ClaimsOutput.checkDirectory(directory, for: "the sweep (its scripts, shard files and logs)")
            let layout = SweepLayout(directory: directory)
            if let existing = SweepStatus.shardCount(in: layout), existing != shards {
                throw CommandFailure("\(directory) already holds shards of a \(existing)-shard sweep; "
                                     + "use --shards \(existing) to continue it, or choose another --out")
            }
            try CommandFailure.makingDirectory(layout.logsDirectory)
            try copyGrid(plan: plan, to: layout)

            let scripts = SlurmScripts(
                gridName: plan.name, layout: layout, shards: shards, executable: Self.executablePath(),
                partition: partition, time: time, cpusPerTask: cpusPerTask, memory: mem, allowingLargeGrid: force)
            let arrayPath = layout.arrayScriptPath, mergePath = layout.mergeScriptPath
            try writeScript(scripts.arrayScript, to: arrayPath)
            try writeScript(scripts.mergeScript, to: mergePath)
            print("wrote \(arrayPath) (\(shards) tasks, \(plan.runs.count) runs) and \(mergePath)")

            guard submit else {
                print("submit with:\n  array=$(sbatch --parsable \(SlurmScripts.quote(arrayPath)))\n"
                      + "  sbatch --dependency=afterok:${array%%;*} \(SlurmScripts.quote(mergePath))")
                print("follow with: squeue --me; decaybench status \(SlurmScripts.quote(directory))")
                return
            }
            let arrayJob = try Self.sbatch([arrayPath])
            let mergeJob: String
            do {
                mergeJob = try Self.sbatch(["--dependency=afterok:\(arrayJob)", mergePath])
            } catch {
                // The array is queued already: submitting everything again would queue a second one.
                throw CommandFailure("\(error)\narray job \(arrayJob) (\(shards) tasks) is queued; submit only the merge: "
                                     + "sbatch --dependency=afterok:\(arrayJob) \(SlurmScripts.quote(mergePath))")
            }
            print("submitted array job \(arrayJob) (\(shards) tasks) and merge job \(mergeJob)")
            print("follow with: squeue -j \(arrayJob),\(mergeJob); decaybench status \(SlurmScripts.quote(directory))")
            print("logs: \(layout.logsDirectory)/; a failed or preempted shard I: sbatch --array=I \(SlurmScripts.quote(arrayPath)), "
                  + "then merge again: sbatch --dependency=afterok:JOB \(SlurmScripts.quote(mergePath))")
        }

        /// Copies the grid into the sweep so that editing the original cannot change a sweep in progress.
        private func copyGrid(plan: GridPlan, to layout: SweepLayout) throws {
            if FileManager.default.fileExists(atPath: layout.gridPath) {
                let existing = try GridLoading.plan(path: layout.gridPath, allowingLargeGrids: true)
                let differences = plan.differences(fromStored: existing.canonicalText)
                guard differences.isEmpty else {
                    throw CommandFailure("\(layout.gridPath) holds another grid, from an earlier sweep:\n"
                                         + GridPlan.listing(differences)
                                         + "\nchoose another --out")
                }
                return
            }
            // Whole or not at all (a full disk): a cut copy would read as another grid next time.
            try AtomicFile.write(Data(plan.sourceText.utf8), to: layout.gridPath)
        }

        private func writeScript(_ text: String, to path: String) throws {
            try AtomicFile.write(Data(text.utf8), to: path)
            chmod(path, 0o755)
        }

        /// This binary's absolute path, so that jobs run the same build.
        static func executablePath() -> String {
            if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
            return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        }

        /// Submits with `sbatch --parsable` and returns the job id.
        static func sbatch(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sbatch", "--parsable"] + arguments
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            do { try process.run() } catch { throw CommandFailure("cannot run sbatch: \(error)") }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let job = text.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard process.terminationStatus == 0, !job.isEmpty else {
                throw CommandFailure("sbatch \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): "
                                     + problem.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return job
        }
    }
}
