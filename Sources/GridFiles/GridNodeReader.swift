import Optimization
import Yams

/// Reads Yams nodes into grid values, collecting a problem for everything it cannot accept.
///
/// Nothing here stops at the first problem: a bad value is recorded and skipped, so one pass
/// reports every mistake in the file.
struct GridNodeReader {
    let fileName: String
    private(set) var problems: [GridProblem] = []

    init(fileName: String) {
        self.fileName = fileName
    }

    mutating func report(_ message: String, at location: GridLocation) {
        problems.append(GridProblem(file: fileName, line: location.line, column: location.column,
                                    keyPath: location.keyPath, message: message))
    }

    mutating func report(contentsOf other: [GridProblem]) {
        problems += other
    }

    // MARK: - Shapes

    /// The node's pairs with string keys, or nil (and a problem) when it is not a mapping.
    mutating func mapping(_ node: Node, at location: GridLocation, expected: String = "a mapping") -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            report("expected \(expected), found \(GridNodeReader.describe(node))", at: location)
            return nil
        }
        return mapping.map { pair in (pair.key.scalar?.string ?? GridNodeReader.describe(pair.key), pair.key, pair.value) }
    }

    /// The node's elements, or nil (and a problem) when it is not a list.
    mutating func sequence(_ node: Node, at location: GridLocation, expected: String = "a list") -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report("expected \(expected), found \(GridNodeReader.describe(node))", at: location)
            return nil
        }
        return Array(sequence)
    }

    /// Reports every key of `pairs` not in `valid`, with the closest valid key as a hint.
    mutating func rejectUnknownKeys(_ pairs: [(key: String, keyNode: Node, value: Node)], valid: [String],
                                    in location: GridLocation, what: String) {
        for pair in pairs where !valid.contains(pair.key) {
            let keyLocation = GridLocation(pair.keyNode, keyPath: location.appending(key: pair.key), fallback: location)
            report("unknown \(what) '\(pair.key)'\(ClosestMatch.hint(for: pair.key, among: valid)); valid keys: "
                   + valid.joined(separator: ", "), at: keyLocation)
        }
    }

    // MARK: - Values

    /// The value of `node` for `field`, or nil (and a problem) when the field cannot take it.
    mutating func value(of node: Node, for field: GridField, at location: GridLocation) -> GridValue? {
        let scalar = Scalar(node)
        if field.absentWord != nil {
            if case .null = scalar { return .absent }
            if case .text(let word) = scalar, word == field.absentWord { return .absent }
        }
        switch field.kind {
        case .choice(let words):
            let word: String
            switch scalar {
            case .text(let text): word = text
            case .notScalar, .null: return mismatch(field, node, location)
            default: word = node.scalar?.string ?? ""
            }
            guard words.contains(word) else {
                report("unknown \(field.noun) '\(word)'; expected \(field.expectation)"
                       + ClosestMatch.hint(for: word, among: words), at: location)
                return nil
            }
            return .text(word)
        case .integer(let bound):
            guard case .integer(let number) = scalar else { return mismatch(field, node, location) }
            return bounded(.integer(number), Double(number), bound, field, location)
        case .number(let bound):
            let number: Double
            switch scalar {
            case .integer(let value): number = Double(value)
            case .number(let value): number = value
            default: return mismatch(field, node, location)
            }
            guard number.isFinite else { return mismatch(field, node, location) }
            return bounded(.number(number), number, bound, field, location)
        case .boolean:
            guard case .boolean(let flag) = scalar else { return mismatch(field, node, location) }
            return .boolean(flag)
        case .text:
            guard case .scalar(let plain) = node, !plain.string.isEmpty else { return mismatch(field, node, location) }
            return .text(plain.string)
        case .integers(let bound):
            guard let elements = sequence(node, at: location, expected: field.expectation) else { return nil }
            var numbers: [Int] = []
            var valid = true
            for (index, element) in elements.enumerated() {
                let elementLocation = GridLocation(element, keyPath: location.appending(index: index), fallback: location)
                guard case .integer(let number) = Scalar(element), bound.contains(Double(number)) else {
                    report("expected an integer \(bound.phrase), found \(GridNodeReader.describe(element))" + Self.beyondIntegers(element),
                           at: elementLocation)
                    valid = false
                    continue
                }
                numbers.append(number)
            }
            return valid ? .integers(numbers) : nil
        case .schedule:
            return scheduleEntry(node, at: location)
        }
    }

    /// A schedule axis entry: `cosine`, or `{warm-restarts: {t0: 5, t_mult: 2}}`.
    mutating func scheduleEntry(_ node: Node, at location: GridLocation) -> GridValue? {
        let kinds = ScheduleSpec.Kind.allCases.map(\.rawValue)
        if case .text(let word) = Scalar(node) {
            guard kinds.contains(word) else {
                report("unknown schedule '\(word)'; expected one of: \(kinds.joined(separator: ", "))"
                       + ClosestMatch.hint(for: word, among: kinds), at: location)
                return nil
            }
            return .schedule(ScheduleEntry(kind: word, parameters: [:]))
        }
        guard case .mapping(let entryMapping) = node, entryMapping.count == 1, let pair = entryMapping.first else {
            report("expected a schedule kind (\(kinds.joined(separator: ", "))) or a one-key mapping "
                   + "{kind: {parameters}}, found \(GridNodeReader.describe(node))", at: location)
            return nil
        }
        let kind = pair.key.scalar?.string ?? ""
        let kindLocation = GridLocation(pair.key, keyPath: location.appending(key: kind), fallback: location)
        var valid = true
        if !kinds.contains(kind) {
            report("unknown schedule '\(kind)'; expected one of: \(kinds.joined(separator: ", "))"
                   + ClosestMatch.hint(for: kind, among: kinds), at: kindLocation)
            valid = false
        }
        var entry = ScheduleEntry(kind: kind, parameters: [:])
        if case .scalar(let scalar) = pair.value, Scalar(pair.value) == .null || scalar.string.isEmpty {
            return valid ? .schedule(entry) : nil
        }
        guard let parameters = mapping(pair.value, at: kindLocation, expected: "a mapping of schedule parameters") else {
            return nil
        }
        let fields = GridFields.all().filter { $0.section == "schedule" && GridFields.scheduleParameterKeys.contains($0.key) }
        rejectUnknownKeys(parameters, valid: GridFields.scheduleParameterKeys, in: kindLocation, what: "schedule parameter")
        for parameter in parameters {
            guard let field = fields.first(where: { $0.key == parameter.key }) else { valid = false; continue }
            let parameterLocation = GridLocation(parameter.value, keyPath: kindLocation.appending(key: parameter.key), fallback: kindLocation)
            guard let value = value(of: parameter.value, for: field, at: parameterLocation) else { valid = false; continue }
            entry.parameters[parameter.key] = value
        }
        return valid ? .schedule(entry) : nil
    }

    private mutating func bounded(_ value: GridValue, _ number: Double, _ bound: GridBound,
                                  _ field: GridField, _ location: GridLocation) -> GridValue? {
        guard bound.contains(number) else {
            report("expected \(field.expectation), found \(value.label())", at: location)
            return nil
        }
        return value
    }

    private mutating func mismatch(_ field: GridField, _ node: Node, _ location: GridLocation) -> GridValue? {
        report("expected \(field.expectation), found \(GridNodeReader.describe(node))" + Self.beyondIntegers(node), at: location)
        return nil
    }

    /// ", beyond …" for a whole number too large for a grid's integers (it reads as a number, so
    /// "expected an integer" alone would be false); "" for anything else.
    static func beyondIntegers(_ node: Node) -> String {
        guard let text = node.scalar?.string, Int(text) == nil else { return "" }
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return "" }
        return ", beyond the integers a grid file holds (\(Int.min) to \(Int.max))"
    }

    // MARK: - Scalars

    /// A scalar as YAML 1.1 plain style reads it; quoted scalars are always text.
    enum Scalar: Equatable {
        case null
        case boolean(Bool)
        case integer(Int)
        case number(Double)
        case text(String)
        case notScalar

        init(_ node: Node) {
            guard case .scalar(let scalar) = node else { self = .notScalar; return }
            let text = scalar.string
            // An explicit !!str (or YAML's non-specific "!") makes even `!!str 1` a string; an
            // explicit !!int, !!float, !!bool or !!null is read as the plain scalar would be.
            // Any other tag is reported, at its place, by `reportUnreadableTags`.
            // `node.tag`, not `scalar.tag`: only the former asks the resolver (Yams resolves
            // lazily), and it spells the name out (Yams keeps `Tag.name` internal).
            switch Tag.Name(rawValue: node.tag.description) {
            case GridNodeReader.plainTag: guard scalar.style == .plain || scalar.style == .any else { self = .text(text); return }
            case .int, .float, .bool, .null: break
            default: self = .text(text); return
            }
            switch text {
            case "", "~", "null", "Null", "NULL": self = .null; return
            case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": self = .boolean(true); return
            case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": self = .boolean(false); return
            default: break
            }
            if let integer = Int(text) {
                self = .integer(integer)
            } else if text.first.map({ "+-.0123456789".contains($0) }) == true,
                      text.allSatisfy({ "+-.0123456789eE".contains($0) }), let number = Double(text) {
                // The character check keeps Swift's "nan" and "infinity" spellings out.
                self = .number(number)
            } else {
                self = .text(text)
            }
        }
    }

    /// The tag the grid file's resolver gives every plain scalar without an explicit tag,
    /// so that an explicit one can be told from it (Yams's default resolver tags a plain `1`
    /// as an integer and a plain `-.5` as a string, just as it tags `!!int 1` and `!!str -.5`).
    static let plainTag = Tag.Name(rawValue: "tag:decaybench,2026:plain")

    /// Resolves every plain scalar to `plainTag`; quoted ones are strings, and explicit tags stay.
    static let resolver = Resolver.basic.appending(try! Resolver.Rule(plainTag, "^"))

    /// The tags a grid file may write: YAML's core schema. Others (`!!binary`, `!!timestamp`,
    /// `!!python/object`, an application's `!custom`) have no meaning in a grid; ignoring
    /// them would read a value other than the one the file's author meant.
    static let readableTags: Set<String> = Set([Tag.Name.str, .int, .float, .bool, .null, .seq, .map, .nonSpecific].map(\.rawValue))

    /// Reports every tag of the file that a grid file cannot read, at its place.
    mutating func reportUnreadableTags(in text: String) {
        for (tag, place, keyPath) in MappingKeyEvents.tags(in: text, except: Self.readableTags) {
            let short = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
            report("unknown YAML tag '\(short)': a grid file reads plain values, and of tags only "
                   + "!!str, !!int, !!float, !!bool, !!null, !!seq and !!map", at: GridLocation(line: place.line, column: place.column, keyPath: keyPath))
        }
    }

    /// How a node reads in a message: "the string 'abc'", "1.5", "a list", "a mapping", "null".
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch Scalar(node) {
            case .null: return "null"
            case .boolean(let flag): return flag ? "true" : "false"
            case .integer, .number: return scalar.string
            default:
                // A data file given as the grid reads as one string of megabytes: a message
                // quotes its start.
                let text = scalar.string
                return "the string '\(text.prefix(80))\(text.count > 80 ? "…" : "")'"
            }
        }
    }
}
