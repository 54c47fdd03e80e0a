import Foundation

/// A command that cannot go on, with a sentence a user can act on.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    /// Whether the user's input is at fault (exit status 2) rather than the work (1).
    let isInputProblem: Bool

    init(_ description: String, isInputProblem: Bool = false) {
        self.description = description
        self.isInputProblem = isInputProblem
    }

    /// A problem with what the user gave: a flag, a grid file, a setting, a data file.
    static func input(_ description: String) -> CommandFailure {
        CommandFailure(description, isInputProblem: true)
    }

    /// Runs `read`, a read of files the user named (results, shards): a file that is missing,
    /// damaged or not DecayBench's is the input's fault (exit status 2), whichever command read it.
    static func readingInput<T>(_ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch let failure as CommandFailure {
            throw CommandFailure.input(failure.description)
        } catch {
            throw CommandFailure.input("\(error)")
        }
    }

    /// Makes `directory` and its missing parents; a failure names the directory and says why in
    /// the system's words ("No space left on device"), not as Foundation's error dump.
    static func makingDirectory(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            let error = error as NSError
            let posix = (error.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0 : nil }
                ?? (error.domain == NSPOSIXErrorDomain ? error : nil)
            let reason = posix.map { String(cString: strerror(Int32($0.code))) } ?? error.localizedDescription
            throw CommandFailure("cannot create the directory \(directory): \(reason)")
        }
    }
}
