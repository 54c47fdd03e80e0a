import Foundation
import Planning
import Yams

/// Reads grid files: YAML that names a set of runs as a product of axes, into a `GridPlan`.
///
/// ```yaml
/// name: adam-vs-adamw-fmnist          # required, [A-Za-z0-9._-]+
/// description: optional free text
/// dataset: {name: fashion-mnist, train_subset: 10000}
/// model: {kind: mlp, hidden: [256, 256], activation: relu}
/// optimizer: {beta2: 0.999}           # defaults for every run
/// regularization: {decay_convention: paper}
/// schedule: {warmup_steps: 100}
/// training: {epochs: 20, batch_size: 128}
/// store: {params: final}              # none (default) | final
/// claims: [generalization-adamw]      # the claims it tests (`decaybench claims --list`)
/// grid:
///   optimizer: [sgd-momentum, adam]
///   penalty: [l2, decoupled]
///   lambda:                           # depends on penalty: one list per penalty
///     l2: [0, 1e-5, 1e-4, 1e-3]
///     decoupled: [0, 1e-3, 1e-2, 1e-1]
///   lr: [1e-4, 3e-4, 1e-3, 3e-3]
///   schedule: [constant, cosine, {warm-restarts: {t0: 5, t_mult: 2}}]
/// seeds: [0, 1, 2]                    # default [0]
/// ```
///
/// - Sections (`dataset`, `model`, `optimizer`, `regularization`, `schedule`, `training`) set
///   every field of `RunConfiguration` in snake_case; absent fields keep the initialisers'
///   defaults. Required: `dataset.name`, `model.kind`, the optimizer kind, the learning rate
///   `lr` and `training.epochs`, each either in its section or as a grid axis.
/// - `grid` maps axis names to lists. Any field can be an axis, by its key (`epochs`,
///   `beta2`) or `section.key`; `optimizer`, `penalty`, `dataset`, `model` name the kinds and
///   `schedule` takes entries `name` or `{name: {parameters}}`. An axis given as a mapping
///   depends on the one earlier axis whose values are all its keys.
/// - Several blocks are pooled: YAML documents separated by `---`, and in any document a
///   `blocks:` list whose entries override that document's settings field by field.
/// - Runs are the product of a block's axes in file order with seeds innermost; blocks
///   follow each other in file order. Two runs with the same key are an error.
///
/// Every problem in a file is reported at once as a `GridFileError`.
public enum GridFile {
    /// Why `path` cannot be read, in words.
    static func unreadableReason(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if access(path, R_OK) != 0 { return "permission denied" }
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
            return "it is not a regular file (a device or another special file)"
        }
        return "it could not be read"
    }

    /// Reads and expands the grid file at `path`.
    ///
    /// - Parameters:
    ///   - allowingLargeGrids: accept up to `GridLimits.forcedRuns` runs rather than
    ///     `GridLimits.runs` (the command line's `--force`).
    ///   - knownClaims: the claim ids `claims:` may name; nil accepts any.
    /// - Throws: `GridFileError` listing every problem, including an unreadable file.
    public static func load(path: String, allowingLargeGrids: Bool = false, knownClaims: [String]? = nil) throws -> GridPlan {
        // Problems name the file as the user gave it, as compilers do: two grids of one name
        // in different directories stay apart.
        let fileName = path
        // stat, not attributesOfItem: that one does not follow a symbolic link, whose own size is a few bytes.
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) > GridLimits.fileBytes {
            let size = Int(status.st_size)
            throw GridFileError(problems: [GridProblem(
                file: fileName, line: 1, column: 1, keyPath: "",
                message: "the grid file is \(size.formatted(.number.grouping(.automatic))) bytes; a grid file is at most "
                    + "\(GridLimits.fileBytes >> 20) MiB of YAML: is it the grid you meant?")])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GridFileError(problems: [GridProblem(file: fileName, line: 1, column: 1, keyPath: "",
                                                       message: "cannot read the grid file '\(path)': \(Self.unreadableReason(path))")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let place = firstNonUTF8(in: data)
            throw GridFileError(problems: [GridProblem(file: fileName, line: place.line, column: place.column, keyPath: "",
                                                       message: "the grid file is not UTF-8 text: this byte is not")])
        }
        return try parse(text: text, fileName: fileName, allowingLargeGrids: allowingLargeGrids, knownClaims: knownClaims)
    }

    /// The line and column (in characters, from 1) of the first byte that is not UTF-8: the
    /// problem was reported at 1:1 wherever the byte was.
    static func firstNonUTF8(in data: Data) -> (line: Int, column: Int) {
        var line = 1, column = 1
        var decoder = UTF8()
        var bytes = data.makeIterator()
        while true {
            switch decoder.decode(&bytes) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput, .error:
                return (line, column)
            }
        }
    }

    /// Parses and expands a grid file's text.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - fileName: The name problems are reported under.
    ///   - allowingLargeGrids: accept up to `GridLimits.forcedRuns` runs rather than `GridLimits.runs`.
    ///   - knownClaims: the claim ids `claims:` may name; nil accepts any.
    /// - Throws: `GridFileError` listing every problem.
    public static func parse(text: String, fileName: String, allowingLargeGrids: Bool = false,
                             knownClaims: [String]? = nil) throws -> GridPlan {
        var reader = GridNodeReader(fileName: fileName)
        let documents = try composeDocuments(text, fileName: fileName)
        reader.reportUnreadableTags(in: text)
        let fields = GridFields.all()

        var header = GridFileHeader(knownClaims: knownClaims)
        var blocks: [GridBlock] = []
        for (documentIndex, document) in documents.enumerated() {
            let root = GridLocation(document, keyPath: "")
            guard let pairs = reader.mapping(document, at: root, expected: "a mapping of grid settings") else { continue }
            reader.rejectUnknownKeys(pairs, valid: GridFileHeader.keys + GridFields.sections + ["grid", "seeds", "blocks"],
                                     in: root, what: "key")
            header.read(pairs, document: documentIndex, at: root, reader: &reader)
            let top = GridBlockSource(pairs: pairs, location: root, fields: fields, reader: &reader)
            guard let entries = pairs.first(where: { $0.key == "blocks" }) else {
                blocks.append(GridBlock(index: blocks.count, top: nil, own: top, reader: &reader))
                continue
            }
            let location = GridLocation(entries.value, keyPath: "blocks", fallback: root)
            guard let list = reader.sequence(entries.value, at: location, expected: "a list of blocks") else { continue }
            if list.isEmpty { reader.report("expected at least one block", at: location) }
            for (index, entry) in list.enumerated() {
                let entryLocation = GridLocation(entry, keyPath: location.appending(index: index), fallback: location)
                guard let entryPairs = reader.mapping(entry, at: entryLocation, expected: "a block (a mapping)") else { continue }
                for pair in entryPairs where GridFileHeader.keys.contains(pair.key) || pair.key == "blocks" {
                    reader.report("'\(pair.key)' belongs at the top level, not in a block",
                                  at: GridLocation(pair.keyNode, keyPath: entryLocation.appending(key: pair.key), fallback: entryLocation))
                }
                reader.rejectUnknownKeys(entryPairs.filter { !GridFileHeader.keys.contains($0.key) && $0.key != "blocks" },
                                         valid: GridFields.sections + ["grid", "seeds"], in: entryLocation, what: "block key")
                let own = GridBlockSource(pairs: entryPairs, location: entryLocation, fields: fields, reader: &reader)
                blocks.append(GridBlock(index: blocks.count, top: top, own: own, reader: &reader))
            }
        }
        if documents.isEmpty {
            reader.report("the grid file is empty; it needs at least name, dataset, model, training and grid",
                          at: GridLocation(line: 1, column: 1, keyPath: ""))
        }
        header.requireName(at: documents.first.map { GridLocation($0, keyPath: "") }, reader: &reader)

        // Counted before anything is expanded: a grid of 10¹² runs is refused, not allocated.
        guard GridSize.checkRunCount(of: blocks, allowingLargeGrids: allowingLargeGrids, reader: &reader) else {
            throw GridFileError(problems: Array(Set(reader.problems)))
        }
        let drafts = blocks.flatMap { GridExpansion.drafts(of: $0, fields: fields, reader: &reader) }
        let earlierProblems = reader.problems.count
        let pooled = PooledRuns(drafts: earlierProblems == 0 ? drafts : [], blocks: blocks, fields: fields, reader: &reader)
        if reader.problems.isEmpty {
            GridSize.checkConfigurations(drafts, blocks: blocks, reader: &reader)
            GridSize.checkArrays(runs: pooled.runs, axes: pooled.axes, at: blocks.first?.location, reader: &reader)
        }
        if !reader.problems.isEmpty {
            throw GridFileError(problems: Array(Set(reader.problems)))
        }
        let canonical = GridCanonicalForm.file(
            name: header.name ?? "", description: header.description, storedParameters: header.storedParameters,
            blocks: blocks.map { GridCanonicalForm.block($0, fields: fields) })
        // The declared claims stay out of the canonical form: they say how to read the runs,
        // not which runs there are, so declaring them later does not change the grid.
        var plan = GridPlan(name: header.name ?? "", description: header.description ?? "", sourceText: text,
                            canonicalText: canonical.text, axes: pooled.axes, runs: pooled.runs,
                            storesParameters: header.storedParameters == .final)
        plan.claims = header.claims
        return plan
    }

    /// The file's YAML documents as Yams nodes (keeping line and column marks); a syntax
    /// error becomes the one problem reported, at the place Yams names.
    private static func composeDocuments(_ text: String, fileName: String) throws -> [Node] {
        if let place = MappingKeyEvents.firstCollectionKey(in: text) {
            throw GridFileError(problems: [GridProblem(
                file: fileName, line: place.line, column: place.column, keyPath: "",
                message: "a mapping key is a list or a mapping; a grid file's keys are names and values")])
        }
        if let repeated = MappingKeyEvents.repeatedKey(in: text) {
            throw GridFileError(problems: [duplicateKeyProblem(["\(repeated.key)"], repeated, fileName: fileName)])
        }
        if let nul = MappingKeyEvents.firstTextWithNul(in: text) {
            throw GridFileError(problems: [GridProblem(
                file: fileName, line: nul.place.line, column: nul.place.column,
                keyPath: nul.keyPath.replacingOccurrences(of: "\u{0}", with: "\\0"),
                message: "this text holds a NUL character (\\0), which a results file cannot store; remove it")])
        }
        var documents: [Node] = []
        do {
            var sequence = try compose_all(yaml: text, GridNodeReader.resolver)
            while let document = sequence.next() {
                documents.append(document)
            }
            if let error = sequence.error { throw error }
        } catch let error as YamlError {
            throw GridFileError(problems: [syntaxProblem(error, fileName: fileName, text: text)])
        }
        // A document holding only comments composes to an empty scalar: nothing to read.
        return documents.filter { node in
            if case .scalar(let scalar) = node, scalar.string.isEmpty { return false }
            return true
        }
    }

    private static func duplicateKeyProblem(_ names: [String], _ repeated: (key: String, place: MappingKeyEvents.Place, first: MappingKeyEvents.Place),
                                            fileName: String) -> GridProblem {
        GridProblem(file: fileName, line: repeated.place.line, column: repeated.place.column, keyPath: "",
                    message: "duplicate key \(names.map { "'\($0)'" }.joined(separator: ", ")) in one mapping "
                        + "(first at \(repeated.first.line):\(repeated.first.column)); each key may appear once")
    }

    private static func syntaxProblem(_ error: YamlError, fileName: String, text: String) -> GridProblem {
        let problem = { (line: Int, column: Int, message: String) in
            GridProblem(file: fileName, line: line, column: column, keyPath: "", message: "YAML syntax error: \(message)")
        }
        switch error {
        case let .scanner(context, message, mark, _), let .parser(context, message, mark, _),
             let .composer(context, message, mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return problem(mark.line, mark.column, message + during)
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams names where the mapping starts; the events name the repeated key itself.
            if let repeated = MappingKeyEvents.repeatedKey(in: text, among: Set(duplicates)) {
                return duplicateKeyProblem(duplicates, repeated, fileName: fileName)
            }
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return GridProblem(file: fileName, line: context.mark.line, column: context.mark.column, keyPath: "",
                               message: "duplicate key \(names) in one mapping; each key may appear once")
        case let .reader(message, offset, _, _):
            let prefix = offset.map { String(text.utf8.prefix($0)) ?? "" } ?? ""
            let lines = prefix.split(separator: "\n", omittingEmptySubsequences: false)
            return problem(lines.count, (lines.last?.count ?? 0) + 1, message)
        default:
            return problem(1, 1, "\(error)")
        }
    }
}
