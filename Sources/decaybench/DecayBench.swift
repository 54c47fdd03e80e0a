import ArgumentParser
import Foundation
import Results

@main
struct DecayBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decaybench",
        abstract: "Experiments on weight decay: L2 penalty versus decoupled decay (SGDW, AdamW).",
        discussion: """
        Exit status: 0 done; 1 a failure while working (a write, the disk); 2 the input is wrong \
        (a flag, a grid file, a setting, a data file, an output path); 3 the work ran but its \
        outcome is bad (runs failed or missing, a rerun differs, a regression); 130 interrupted.
        """,
        version: Provenance.harnessVersion,
        subcommands: [Train.self, Plan.self, Run.self, Merge.self, Status.self, Slurm.self, Compare.self,
                      Inspect.self, Rerun.self, Verify.self]
    )

    /// ArgumentParser's own `main`, with the exit statuses of `ExitStatus` in place of its
    /// 64 for usage mistakes and 1 for everything else.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let parserStatus = exitCode(for: error)
            let status = ExitStatus.of(error, parserStatus: parserStatus)
            // Help, version and explicit statuses print (or not) exactly as ArgumentParser does.
            if status == parserStatus.rawValue { exit(withError: error) }
            let text = fullMessage(for: error)
            if !text.isEmpty { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            Foundation.exit(status)
        }
    }
}
