/// Every problem found in a grid file, reported together so one edit can fix them all.
public struct GridFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problems in file order (by line, then column).
    public var problems: [GridProblem]

    public init(problems: [GridProblem]) {
        self.problems = problems.sorted { ($0.line, $0.column, $0.keyPath, $0.message) < ($1.line, $1.column, $1.keyPath, $1.message) }
    }

    /// One problem per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
