import Yams

/// Where a node sits in a grid file: its 1-based line and column, and its key path.
struct GridLocation: Hashable, Sendable {
    var line: Int
    var column: Int
    var keyPath: String

    init(line: Int, column: Int, keyPath: String) {
        self.line = line
        self.column = column
        self.keyPath = keyPath
    }

    /// The location of `node`, or `fallback`'s line and column when Yams gave it no mark.
    init(_ node: Node, keyPath: String, fallback: GridLocation? = nil) {
        if let mark = node.mark {
            self.init(line: mark.line, column: mark.column, keyPath: keyPath)
        } else {
            self.init(line: fallback?.line ?? 1, column: fallback?.column ?? 1, keyPath: keyPath)
        }
    }

    /// A child's key path: `grid` + `lr` is `grid.lr`; an empty parent gives the bare key.
    func appending(key: String) -> String {
        keyPath.isEmpty ? key : "\(keyPath).\(key)"
    }

    /// A list element's key path: `grid.lr` + 2 is `grid.lr[2]`.
    func appending(index: Int) -> String {
        "\(keyPath)[\(index)]"
    }
}
