import Runner

/// The two sbatch scripts of a sharded sweep: a job array with one task per shard, and
/// the merge that runs after it.
struct SlurmScripts {
    var gridName: String
    var layout: SweepLayout
    var shards: Int
    /// The decaybench binary the jobs run (absolute).
    var executable: String
    var partition: String?
    var time: String?
    var cpusPerTask: Int
    var memory: String?
    /// The grid was allowed beyond `GridLimits.runs` (`--force`): each shard's run must say so too.
    var allowingLargeGrid = false

    /// One task per shard; each resumes whatever its shard has already finished, so a failed
    /// or preempted task can simply run again.
    var arrayScript: String {
        let shard = "${SLURM_ARRAY_TASK_ID}"
        return header(
            comment: """
            # One array task per shard of the grid '\(gridName)'. Each task resumes what its shard has
            # finished, so a failed or preempted task can be resubmitted alone:
            #   sbatch --array=I \(Self.quote(layout.arrayScriptPath))
            """,
            options: ["--job-name=decaybench-\(gridName)", "--array=1-\(shards)", "--cpus-per-task=\(cpusPerTask)",
                      "--output=\(Self.directive(layout.logsDirectory, then: "/shard-%a.out"))", "--open-mode=append", "--requeue"])
            + """
            exec \(Self.quote(executable)) run \(Self.quote(layout.gridPath)) --shard "\(shard)/\(shards)" \\
              --out \(Self.quote(layout.directory))"/shard-\(shard).h5" --jobs "${SLURM_CPUS_PER_TASK:-1}" --resume\(allowingLargeGrid ? " --force" : "")

            """
    }

    /// Joins the shard files; submitted with a dependency on the array (afterok).
    var mergeScript: String {
        let inputs = (1...shards).map { Self.quote(layout.shardPath($0)) }.joined(separator: " ")
        return header(
            comment: "# Joins the shards of '\(gridName)' into merged.h5 once every array task has succeeded.",
            options: ["--job-name=decaybench-\(gridName)-merge", "--cpus-per-task=1",
                      "--output=\(Self.directive(layout.logsDirectory, then: "/merge.out"))", "--open-mode=append",
                      // When a shard fails, afterok can never be met: leave the queue rather than wait forever.
                      "--kill-on-invalid-dep=yes"])
            + """
            exec \(Self.quote(executable)) merge \(inputs) \\
              --out \(Self.quote(layout.mergedPath)) --overwrite

            """
    }

    private func header(comment: String, options: [String]) -> String {
        var lines = ["#!/bin/bash", "# Written by `decaybench slurm`.", comment]
        var all = options
        if let partition { all.append("--partition=\(partition)") }
        if let time { all.append("--time=\(time)") }
        if let memory { all.append("--mem=\(memory)") }
        lines += all.map { "#SBATCH \($0)" }
        lines += ["set -euo pipefail", ""]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Why `directory` cannot be the sweep's: its logs' path goes into "#SBATCH --output=" lines,
    /// where sbatch reads a double-quoted word but no escape, and a line break would end the
    /// header and run the rest of the line as a command. Nil when it can.
    static func directoryProblem(_ directory: String) -> String? {
        guard let character = directory.unicodeScalars.first(where: { $0 == "\"" || $0 == "\\" || $0.properties.generalCategory == .control })
        else { return nil }
        return "the sweep's path \(directory.unicodeScalars.map { $0.escaped(asASCII: true) }.joined()) holds "
            + "\(character.escaped(asASCII: true)), which an #SBATCH line cannot carry; choose a directory without it"
    }

    /// An #SBATCH file name: `directory` with each % doubled (sbatch reads %a, %j, … as
    /// patterns), then `pattern`; in double quotes when it holds a space, which would end it.
    static func directive(_ directory: String, then pattern: String) -> String {
        let name = directory.replacingOccurrences(of: "%", with: "%%") + pattern
        return name.contains(where: \.isWhitespace) ? "\"\(name)\"" : name
    }

    /// A word the shell passes through unchanged.
    static func quote(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:=,@".contains($0) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
