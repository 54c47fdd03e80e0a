import Analysis
import ArgumentParser
import Foundation
import Results
import Runner

extension DecayBench {
    struct Claims: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test the paper's and the seed notes' claims on results files: statistic, 95% CI over seeds, verdict.",
            discussion: """
            Every claim the files can speak to gets one row per file and context: its statistic, \
            a 95% confidence interval over seeds (where a best cell is chosen, a seed bootstrap with a \
            fixed generator seed, so the choice's noise is in the interval, widened to at least the \
            Student t interval of the seeds' own statistics, which holds 95% with three seeds where \
            the percentile bootstrap covers about 76%; a t interval otherwise) and a verdict by the \
            rule fixed for it in advance (see the README's section on `decaybench claims`). \
            Cells are chosen on the validation split and report test error; files without one \
            choose on the test split and every row says so. Diverged runs are counted, never \
            averaged in. A grid that declares its claims (`claims:` in the grid file) is read for \
            those alone; other files for every claim their runs span. Claims no file speaks to are \
            listed as "not run".
            """)

        @Argument(help: "Results files (HDF5) written by `decaybench run`.")
        var results: [String] = []

        @Option(help: "A directory to write claims.md and claims.json into (created if missing).")
        var out: String?

        @Flag(help: "Read every file for every claim its runs span, whatever claims its grid declares.")
        var everyFile = false

        @Flag(help: "List the claims (the ids a grid's `claims:` may name) and exit.")
        var list = false

        func validate() throws {
            guard list || !results.isEmpty else { throw ValidationError("give at least one results file") }
            if let out, !list { do { try ClaimsOutput.checkDirectory(out) } catch { throw ValidationError("\(error)") } }
        }

        func run() throws {
            if list {
                print(ClaimsOutput.catalogText)
                return
            }
            let table = try ClaimsOutput.table(for: results, everyFile: everyFile)
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
    /// Every claim's id and statement, one per line.
    static var catalogText: String {
        let width = Claim.catalog.map(\.id.count).max() ?? 0
        return Claim.catalog.map { $0.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.statement + " (" + $0.source + ")" }
            .joined(separator: "\n")
    }

    static func table(for paths: [String], everyFile: Bool) throws -> ClaimsTable {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure.input("\(path): no such results file")
        }
        // One file given twice (or by two names) would count its runs as twice the evidence.
        for (index, path) in paths.enumerated() {
            if let earlier = paths[..<index].first(where: { OutputPath.nameSameFile($0, path) }) {
                throw CommandFailure.input("\(earlier) and \(path) are the same file; give each results file once")
            }
        }
        do {
            return try ClaimsTable.read(paths: paths, everyFile: everyFile)
        } catch {
            throw CommandFailure.input("cannot read the results: \(error)")
        }
    }

    /// Throws unless `directory` is a directory or can be made one: checked before the results
    /// are read, so that a wrong --out is said at once and as the input's fault.
    ///
    /// - Parameter contents: what goes into the directory, for the message.
    static func checkDirectory(_ directory: String, for contents: String = "the report") throws {
        var status = stat()
        if stat(directory, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw CommandFailure.input("--out: \(directory) exists and is not a directory; give a directory for \(contents)")
            }
            guard access(directory, W_OK | X_OK) == 0 else {
                throw CommandFailure.input("--out: the directory \(directory) is not writable")
            }
            return
        }
        // The nearest ancestor that exists must be a writable directory for --out to be made in it.
        var ancestor = OutputPath.directory(of: directory.hasSuffix("/") ? String(directory.dropLast()) : directory)
        while stat(ancestor, &status) != 0 && ancestor != "/" && ancestor != "." { ancestor = OutputPath.directory(of: ancestor) }
        guard (status.st_mode & S_IFMT) == S_IFDIR, access(ancestor, W_OK | X_OK) == 0 else {
            throw CommandFailure.input("--out: cannot make the directory \(directory): \(ancestor) is not a writable directory")
        }
    }

    /// Writes claims.md and claims.json into `directory`; returns their paths.
    static func write(_ table: ClaimsTable, to directory: String) throws -> [String] {
        try CommandFailure.makingDirectory(directory)
        let markdown = (directory as NSString).appendingPathComponent("claims.md")
        let json = (directory as NSString).appendingPathComponent("claims.json")
        // AtomicFile names the file and says why in the system's words ("No space left on device").
        try AtomicFile.write(Data(table.markdown.utf8), to: markdown)
        try AtomicFile.write(table.json, to: json)
        return [markdown, json]
    }
}
