/// A results file that cannot be written or read, with a sentence a user can act on.
public struct ResultsFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
