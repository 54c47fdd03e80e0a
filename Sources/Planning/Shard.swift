/// One share of a grid, "I/N": the I-th of N shards, counted from 1.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// Which share, from 1 to `count`.
    public var index: Int
    /// How many shares the grid is cut into.
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ShardError("a grid is cut into at least 1 shard, got \(count)") }
        guard (1...count).contains(index) else {
            throw ShardError("shard \(index) does not exist among \(count); shards are numbered 1 to \(count)")
        }
        self.index = index
        self.count = count
    }

    /// Reads "I/N", for example "2/4".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError("'\(text)' is not a shard; write I/N, for example 2/4 for the second of four")
        }
        try self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }
}

/// A shard specification that cannot be used, with a sentence a user can act on.
public struct ShardError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
