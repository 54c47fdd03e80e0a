/// Why a data set could not be located, read or prepared.
///
/// Every case says where the problem is (the spec field, the file, the line and column)
/// and what was expected versus what was found, so the message alone is enough to fix it.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A field of the data spec is missing or out of range.
    case invalidSpec(field: String, expected: String, found: String)
    /// The IDX files of an MNIST-like data set are not in the directory searched.
    /// - Parameters:
    ///   - origin: where the directory came from (the spec's `path`, a variable, the default).
    ///   - lookedFor: the files not found, each with every name tried (compressed and raw).
    ///   - hint: how to point DecayBench at the right directory.
    case filesNotFound(directory: String, origin: String, lookedFor: [String], hint: String)
    /// A file could not be opened or read at all.
    case unreadable(path: String, reason: String)
    /// An IDX file disagrees with its own header or with what the data set needs.
    case malformedIDX(path: String, expected: String, found: String)
    /// A CSV file has a cell, row or label the reader cannot use. Lines and columns count from 1;
    /// `nil` when the problem concerns the whole file or a whole row.
    case malformedCSV(path: String, line: Int?, column: Int?, expected: String, found: String)
    /// A file or a spec asks for more data than DecayBench accepts or memory holds; found
    /// before any memory is reserved for it.
    case tooLarge(what: String, found: String, limit: String)
    /// The source is valid in a spec but this build cannot load it yet.
    case unsupported(source: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidSpec(field, expected, found):
            // Named as users write it (the grid file's key, the command line's flag), not as
            // the code does ("data spec field `testFraction`").
            let irregular = ["source": "dataset.name (--dataset)", "path": "dataset.path (--data-path)", "seed": "dataset.seed (--data-seed)"]
            if let name = irregular[field] { return "\(name): expected \(expected), found \(found)" }
            let words = field.reduce(into: [""]) { words, character in
                if character.isUppercase || character == "_" { words.append("") }
                if character != "_" { words[words.count - 1].append(Character(character.lowercased())) }
            }
            return "dataset.\(words.joined(separator: "_")) (--\(words.joined(separator: "-"))): expected \(expected), found \(found)"
        case let .filesNotFound(directory, origin, lookedFor, hint):
            return "data files not found: looked for " + lookedFor.joined(separator: ", ")
                + " in \(directory) (\(origin)). \(hint)"
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .malformedIDX(path, expected, found):
            return "\(path): expected \(expected), found \(found)"
        case let .malformedCSV(path, line, column, expected, found):
            var place = path
            if let line { place += ", line \(line)" }
            if let column { place += ", column \(column)" }
            return "\(place): expected \(expected), found \(found)"
        case let .tooLarge(what, found, limit):
            return "\(what): \(found) is too large; DecayBench accepts \(limit)"
        case let .unsupported(source, reason):
            return "data source `\(source)` cannot be loaded: \(reason)"
        }
    }
}
