/// One thing wrong with a grid file, at the place where it was written.
///
/// Printed as `file:line:column: keyPath: message`, the form compilers use, so editors and
/// terminals can jump to it.
public struct GridProblem: Hashable, Sendable, CustomStringConvertible {
    /// The file's name as given to the parser.
    public var file: String
    /// 1-based line of the offending node (the enclosing mapping's line for a missing key).
    public var line: Int
    /// 1-based column of the offending node.
    public var column: Int
    /// Where in the document the problem sits, for example `grid.lambda.l2[2]`.
    public var keyPath: String
    /// What was expected and what was found.
    public var message: String

    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let path = keyPath.isEmpty ? "" : "\(keyPath): "
        return "\(file):\(line):\(column): \(path)\(message)"
    }
}
