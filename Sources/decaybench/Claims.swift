import Analysis
import ArgumentParser
import Foundation

extension DecayBench {
    struct Claims: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test the paper's and the seed notes' claims on results files: statistic, 95% CI over seeds, verdict.",
            discussion: """
            Every claim the files can speak to gets one row per file and context: its statistic,
            a 95% confidence interval over seeds (a seed bootstrap with a fixed generator seed where
            a best cell is chosen, so the choice's noise is in the interval; a t interval otherwise)
            and a verdict by the rule fixed for it in advance (see the README's Claims section).
            Cells are chosen on the validation split and report test error; files without one
            choose on the test split and every row says so. Diverged runs are counted, never
            averaged in. Claims no file speaks to are listed as "not run".
            """)

        @Argument(help: "Results files (HDF5) written by `decaybench run`.")
        var results: [String]

        @Option(help: "A directory to write claims.md and claims.json into (created if missing).")
        var out: String?

        func validate() throws {
            guard !results.isEmpty else { throw ValidationError("give at least one results file") }
        }

        func run() throws {
            let table = try ClaimsOutput.table(for: results)
            print(table.text)
            if let out {
                let written = try ClaimsOutput.write(table, to: out)
                print("wrote " + written.joined(separator: ", "))
            }
        }
    }
}

/// Reading results files into a claims table and writing its Markdown and JSON.
enum ClaimsOutput {
    static func table(for paths: [String]) throws -> ClaimsTable {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("\(path): no such results file")
        }
        do {
            return try ClaimsTable.read(paths: paths)
        } catch {
            throw CommandFailure("cannot read the results: \(error)")
        }
    }

    /// Writes claims.md and claims.json into `directory`; returns their paths.
    static func write(_ table: ClaimsTable, to directory: String) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let markdown = (directory as NSString).appendingPathComponent("claims.md")
            let json = (directory as NSString).appendingPathComponent("claims.json")
            try table.markdown.write(toFile: markdown, atomically: true, encoding: .utf8)
            try table.json.write(to: URL(fileURLWithPath: json), options: .atomic)
            return [markdown, json]
        } catch {
            throw CommandFailure("cannot write the claims into \(directory): \(error.localizedDescription)")
        }
    }
}
