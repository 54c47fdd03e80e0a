import Analysis
import ArgumentParser
import Foundation

extension DecayBench {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a report (Markdown, HTML, PNG and SVG figures) of results files and their claims.",
            discussion: """
            Writes claims.md and claims.json, then runs experiments/report/make_report.py (matplotlib) \
            for the figures, report.md and report.html, which open offline. The figures need Python 3 \
            with matplotlib \(ReportScript.matplotlibVersion), numpy and h5py: `make python-packages` installs them.
            """)

        @Argument(help: "Results files (HDF5) written by `decaybench run`.")
        var results: [String]

        @Option(help: "The directory to write the report into (created if missing).")
        var out: String

        @Flag(help: "Read every file for every claim its runs span, whatever claims its grid declares.")
        var everyFile = false

        @Option(help: "The Python interpreter that draws the figures.")
        var python: String = ProcessInfo.processInfo.environment["PYTHON"] ?? "python3"

        @Option(help: "The figure script (default: experiments/report/make_report.py of this checkout).")
        var script: String?

        func validate() throws {
            guard !results.isEmpty else { throw ValidationError("give at least one results file") }
            do { try ClaimsOutput.checkDirectory(out) } catch { throw ValidationError("\(error)") }
        }

        func run() throws {
            // Whole seconds: some file systems keep no finer modification times.
            let started = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let scriptPath = try script ?? ReportScript.locate()
            try ReportScript.checkPython(python)
            let table = try ClaimsOutput.table(for: results, everyFile: everyFile)
            print(table.text)
            let written = try ClaimsOutput.write(table, to: out)
            let claims = written.first { $0.hasSuffix(".json") }!
            // The script writes to the same terminal or file: what was printed must come first
            // (nil flushes every stream; Swift 6 rejects the global `stdout`).
            fflush(nil)
            let status = try ReportScript.run(python: python, script: scriptPath,
                                              arguments: ["--claims", claims, "--out", out] + results)
            guard status == 0 else { throw CommandFailure("\(scriptPath) failed (exit status \(status)); its message is above") }
            // A script that exits 0 without its pages (another script, an edited one) has not made the report.
            let pages = ["report.md", "report.html"].map { (out as NSString).appendingPathComponent($0) }
            let missing = pages.filter { !FileManager.default.fileExists(atPath: $0) || modificationDate($0) < started }
            guard missing.isEmpty else {
                throw CommandFailure("\(scriptPath) exited 0 but did not write \(missing.joined(separator: " and ")); the report is incomplete")
            }
        }

        private func modificationDate(_ path: String) -> Date {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
    }
}

/// Finding and running the matplotlib script that draws the report's figures.
enum ReportScript {
    /// The version the Makefile installs; the script draws with any 3.x but is tested with this one.
    static let matplotlibVersion = "3.11.2"
    static let relativePath = "experiments/report/make_report.py"

    /// The script in the current directory's checkout, or in the checkout the executable was built in.
    static func locate() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            guard !candidates.contains(directory.path) else { break }  // "/" is its own parent
            candidates.append(directory.path)
            directory = directory.deletingLastPathComponent()
        }
        for candidate in candidates {
            let path = (candidate as NSString).appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw CommandFailure("cannot find \(relativePath) (looked in \(candidates.joined(separator: ", "))); give it with --script")
    }

    /// Fails with the exact modules missing, and how to install them.
    static func checkPython(_ python: String) throws {
        let probe = "import importlib.util as u; print(' '.join(m for m in ('matplotlib', 'numpy', 'h5py') if u.find_spec(m) is None))"
        let output: String
        do {
            output = try capture(python, ["-c", probe])
        } catch {
            throw CommandFailure("the report's figures need Python 3, but '\(python)' did not run (\(error)); install python3 or give --python")
        }
        let missing = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard missing.isEmpty else {
            throw CommandFailure("the report's figures need the Python packages \(missing.split(separator: " ").joined(separator: ", ")) for \(python); "
                                 + "install them with `make python-packages` or `\(python) -m pip install matplotlib==\(matplotlibVersion) numpy h5py`")
        }
    }

    static func run(python: String, script: String, arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script] + arguments
        try process.run()
        // Stopped with `report`: it would otherwise go on writing into --out alone.
        let pid = process.processIdentifier
        let token = Interruption.onInterrupt { kill(pid, SIGTERM) }
        defer { Interruption.remove(token) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func capture(_ python: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CommandFailure("exit status \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}
