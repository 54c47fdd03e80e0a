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
}
