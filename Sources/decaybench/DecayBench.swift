import ArgumentParser
import Results

@main
struct DecayBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decaybench",
        abstract: "Experiments on weight decay: L2 penalty versus decoupled decay (SGDW, AdamW).",
        version: Provenance.harnessVersion,
        subcommands: [Train.self, Plan.self, Run.self, Merge.self, Status.self, Slurm.self, Compare.self]
    )
}
