import CYaml

/// What a grid file's mapping keys are, read from libyaml's event stream rather than from
/// composed nodes: before composing, and where the composer cannot say where.
///
/// A grid file's keys are names and values. Composing checks every mapping for duplicate
/// keys by hashing them, and a key that is a list of aliases to lists of aliases (a
/// 534-byte "billion laughs" file) is hashed as the whole tree it expands into: the parse
/// never ended. In the event stream, where an alias is one event, such a key is found at once.
/// And when the composer does find a duplicate key, it names the mapping's first line only
/// (1:1 for a top-level key); the events give the place of the repeated key itself.
enum MappingKeyEvents {
    /// The place of the first mapping key that is a list, a mapping or an alias of one, or nil.
    static func firstCollectionKey(in text: String) -> Place? {
        var collectionAnchors = Set<String>()
        return walk(text) { event, isKey, _, _ in
            switch event.type {
            case YAML_ALIAS_EVENT:
                return isKey && collectionAnchors.contains(String(cString: event.data.alias.anchor))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if isKey { return true }
                let anchor = event.type == YAML_SEQUENCE_START_EVENT
                    ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                if let anchor { collectionAnchors.insert(String(cString: anchor)) }
                return false
            default:
                return false
            }
        }
    }

    /// The first key (among `names`, or any) that repeats a key of the same mapping by its
    /// text, quoted or plain, with its place and the place of its first occurrence; nil if
    /// there is none. The composer's own check compares tagged nodes, and the grid file's
    /// resolver tags a plain `name` apart from a quoted `'name'`.
    static func repeatedKey(in text: String, among names: Set<String>? = nil) -> (key: String, place: Place, first: Place)? {
        var firstPlace: Place?, repeated = ""
        let found = walk(text) { event, isKey, keysSoFar, _ in
            guard isKey, event.type == YAML_SCALAR_EVENT, let value = event.data.scalar.value else { return false }
            let key = String(decoding: UnsafeBufferPointer(start: value, count: event.data.scalar.length), as: UTF8.self)
            guard names?.contains(key) ?? true else { return false }
            if let first = keysSoFar[key] {
                firstPlace = first
                repeated = key
                return true
            }
            keysSoFar[key] = Place(event.start_mark)
            return false
        }
        guard let found, let firstPlace else { return nil }
        return (repeated, found, firstPlace)
    }

    /// The place and key path of the first scalar, key or value, that holds a NUL character
    /// (written `"\0"` or `"\u0000"` in a quoted string), or nil. A results file stores every
    /// text of the grid as a C string, which ends at a NUL: refused when the grid is read, not
    /// after its runs are computed.
    static func firstTextWithNul(in text: String) -> (place: Place, keyPath: String)? {
        var path = ""
        let found = walk(text) { event, _, _, keyPath in
            guard event.type == YAML_SCALAR_EVENT, let value = event.data.scalar.value else { return false }
            path = keyPath
            return UnsafeBufferPointer(start: value, count: event.data.scalar.length).contains(0)
        }
        return found.map { ($0, path) }
    }

    /// Every explicit tag of the file not in `readable` (as libyaml spells it out:
    /// "tag:yaml.org,2002:binary", "!custom"), with its place, in the file's order. Read from
    /// the events, where an alias is one event: a walk of the composed nodes visits a value
    /// of nested aliases as the whole tree it expands into, and never ended.
    static func tags(in text: String, except readable: Set<String>) -> [(tag: String, place: Place, keyPath: String)] {
        var found: [(tag: String, place: Place, keyPath: String)] = []
        _ = walk(text) { event, _, _, keyPath in
            let tag: UnsafeMutablePointer<yaml_char_t>?
            switch event.type {
            case YAML_SCALAR_EVENT: tag = event.data.scalar.tag
            case YAML_SEQUENCE_START_EVENT: tag = event.data.sequence_start.tag
            case YAML_MAPPING_START_EVENT: tag = event.data.mapping_start.tag
            default: tag = nil
            }
            if let tag {
                let name = String(cString: tag)
                if !readable.contains(name) { found.append((name, Place(event.start_mark), keyPath)) }
            }
            return false
        }
        return found
    }

    /// A line and a column, both from 1.
    struct Place: Equatable {
        let line: Int
        let column: Int

        init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }

        init(_ mark: yaml_mark_t) {
            self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        }
    }

    /// For each open collection: whether it is a mapping, whether its next node is a key, and
    /// the keys seen in it that a visitor chose to remember.
    private struct OpenCollection {
        let isMapping: Bool
        /// The collection's own key path.
        let keyPath: String
        var expectsKey = true
        var keys: [String: Place] = [:]
        /// The last key read, whose value comes next; in a list, the next element's index.
        var lastKey = ""
        var nextIndex = 0

        /// The key path of the node that comes next: `grid.lr` for a key `lr` or its value,
        /// `grid.lr[2]` for a list's third element, as `GridLocation` spells them.
        func childPath(key: String?) -> String {
            guard isMapping else { return "\(keyPath)[\(nextIndex)]" }
            let name = key ?? lastKey
            return keyPath.isEmpty ? name : "\(keyPath).\(name)"
        }
    }

    /// Calls `visit` with each event, whether it is a key of the innermost mapping, that
    /// mapping's remembered keys and the event's key path, until `visit` returns true; returns
    /// that event's place, or nil at the end of the stream or at a syntax error (left to the
    /// composer, which reports it with its place).
    private static func walk(
        _ text: String, _ visit: (yaml_event_t, _ isKey: Bool, _ keys: inout [String: Place], _ keyPath: String) -> Bool
    ) -> Place? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Place? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var open: [OpenCollection] = []
            var noKeys: [String: Place] = [:]
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let isKey = open.last.map { $0.isMapping && $0.expectsKey } ?? false
                // A key's own text names it in paths; a key that is a collection or an alias is "?".
                let keyText = !isKey ? nil : event.type == YAML_SCALAR_EVENT && event.data.scalar.value != nil
                    ? String(decoding: UnsafeBufferPointer(start: event.data.scalar.value, count: event.data.scalar.length), as: UTF8.self)
                    : "?"
                if let keyText { open[open.count - 1].lastKey = keyText }
                let keyPath = open.last?.childPath(key: keyText) ?? ""
                let stop = open.isEmpty ? visit(event, isKey, &noKeys, keyPath) : visit(event, isKey, &open[open.count - 1].keys, keyPath)
                if stop { return Place(event.start_mark) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT, YAML_ALIAS_EVENT:
                    advance(&open)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    open.append(OpenCollection(isMapping: event.type == YAML_MAPPING_START_EVENT, keyPath: keyPath))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    open.removeLast()
                    advance(&open)
                default:
                    break
                }
            }
        }
    }

    /// A node of the innermost collection is complete: in a mapping, keys and values alternate.
    private static func advance(_ open: inout [OpenCollection]) {
        guard let last = open.indices.last else { return }
        if open[last].isMapping { open[last].expectsKey.toggle() } else { open[last].nextIndex += 1 }
    }
}
