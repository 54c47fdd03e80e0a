import CYaml

/// Finds mapping keys that are lists or mappings, before the file is composed.
///
/// A grid file's keys are names and values. Composing checks every mapping for duplicate
/// keys by hashing them, and a key that is a list of aliases to lists of aliases (a
/// 534-byte "billion laughs" file) is hashed as the whole tree it expands into: the parse
/// never ended. Read as libyaml's event stream, where an alias is one event, such a key is
/// found at once.
enum CollectionKeys {
    /// The place of the first mapping key that is a list, a mapping or an alias of one, or nil.
    static func first(in text: String) -> (line: Int, column: Int)? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> (line: Int, column: Int)? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            /// For each open collection: whether it is a mapping, and whether its next node is a key.
            var open: [(isMapping: Bool, expectsKey: Bool)] = []
            var collectionAnchors = Set<String>()
            while true {
                var event = yaml_event_t()
                // A syntax error is left to the composer, which reports it with its place.
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let place = (line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                let isKey = open.last.map { $0.isMapping && $0.expectsKey } ?? false
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    Self.advance(&open)
                case YAML_ALIAS_EVENT:
                    let anchor = String(cString: event.data.alias.anchor)
                    if isKey && collectionAnchors.contains(anchor) { return place }
                    Self.advance(&open)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    if isKey { return place }
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    if let anchor { collectionAnchors.insert(String(cString: anchor)) }
                    open.append((isMapping: event.type == YAML_MAPPING_START_EVENT, expectsKey: true))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    open.removeLast()
                    Self.advance(&open)
                default:
                    break
                }
            }
        }
    }

    /// A node of the innermost collection is complete: in a mapping, keys and values alternate.
    private static func advance(_ open: inout [(isMapping: Bool, expectsKey: Bool)]) {
        guard let last = open.indices.last, open[last].isMapping else { return }
        open[last].expectsKey.toggle()
    }
}
