import Yams

/// The settings of a grid file as a whole: its name, description, what runs store and which
/// claims the grid was designed to test.
///
/// Read from the first document; later documents may repeat them but not change them.
struct GridFileHeader {
    static let keys = ["name", "description", "store", "claims"]

    var name: String?
    var description: String?
    var storedParameters = StoredParameters.none
    /// The claim ids the grid declares, in file order; empty when it declares none.
    var claims: [String] = []
    /// The claim ids a declaration may name, or nil to accept any (a grid read back from a
    /// results file was checked when it was run, perhaps by a build with other claims).
    let knownClaims: [String]?
    private var nameLocation: GridLocation?
    private var claimsLocation: GridLocation?

    init(knownClaims: [String]? = nil) {
        self.knownClaims = knownClaims
    }

    mutating func read(_ pairs: [(key: String, keyNode: Node, value: Node)], document: Int, at root: GridLocation,
                       reader: inout GridNodeReader) {
        for pair in pairs where GridFileHeader.keys.contains(pair.key) {
            let location = GridLocation(pair.value, keyPath: root.appending(key: pair.key), fallback: root)
            switch pair.key {
            case "name":
                // `name: null` (or `~`, or nothing) is YAML's null, not a grid called "null".
                if case .null = GridNodeReader.Scalar(pair.value) {
                    reader.report("expected a name ([A-Za-z0-9._-]+), found null", at: location)
                    nameLocation = nameLocation ?? location  // reported here: not "missing" too
                    continue
                }
                guard case .scalar(let scalar) = pair.value, !scalar.string.isEmpty else {
                    reader.report("expected a name ([A-Za-z0-9._-]+), found \(GridNodeReader.describe(pair.value))", at: location)
                    continue
                }
                let text = scalar.string
                if !text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
                    reader.report("expected a name of letters, digits, '.', '_' and '-' (it names result files), found '\(text)'",
                                  at: location)
                }
                agree(&name, text, "name", document: document, at: location, reader: &reader)
                nameLocation = nameLocation ?? location
            case "description":
                guard case .scalar(let scalar) = pair.value else {
                    reader.report("expected a string, found \(GridNodeReader.describe(pair.value))", at: location)
                    continue
                }
                agree(&description, scalar.string, "description", document: document, at: location, reader: &reader)
            case "claims":
                readClaims(pair.value, document: document, at: location, reader: &reader)
            default:
                readStore(pair.value, document: document, at: location, reader: &reader)
            }
        }
    }

    private mutating func readStore(_ node: Node, document: Int, at location: GridLocation, reader: inout GridNodeReader) {
        guard let pairs = reader.mapping(node, at: location, expected: "a mapping such as {params: final}") else { return }
        reader.rejectUnknownKeys(pairs, valid: ["params"], in: location, what: "store key")
        guard let params = pairs.first(where: { $0.key == "params" }) else { return }
        let valueLocation = GridLocation(params.value, keyPath: location.appending(key: "params"), fallback: location)
        let words = StoredParameters.allCases.map(\.rawValue)
        // `none` is not a YAML null here: it is the name of a choice.
        let word = params.value.scalar?.string ?? ""
        guard let stored = StoredParameters(rawValue: word) else {
            reader.report("unknown params '\(word)'; expected one of: \(words.joined(separator: ", "))"
                          + ClosestMatch.hint(for: word, among: words), at: valueLocation)
            return
        }
        if document > 0, stored != storedParameters {
            reader.report("store.params is '\(stored.rawValue)' here but '\(storedParameters.rawValue)' in the first "
                          + "document; a file stores parameters one way", at: valueLocation)
        }
        if document == 0 { storedParameters = stored }
    }

    private mutating func readClaims(_ node: Node, document: Int, at location: GridLocation, reader: inout GridNodeReader) {
        guard let list = reader.sequence(node, at: location, expected: "a list of claim ids such as [generalization-adamw]") else { return }
        var ids: [String] = []
        for (index, entry) in list.enumerated() {
            let entryLocation = GridLocation(entry, keyPath: location.appending(index: index), fallback: location)
            guard case .scalar(let scalar) = entry, !scalar.string.isEmpty else {
                reader.report("expected a claim id, found \(GridNodeReader.describe(entry))", at: entryLocation)
                continue
            }
            let id = scalar.string
            if ids.contains(id) {
                reader.report("claim '\(id)' is listed twice", at: entryLocation)
                continue
            }
            if let knownClaims, !knownClaims.contains(id) {
                reader.report("unknown claim '\(id)'" + ClosestMatch.hint(for: id, among: knownClaims)
                              + "; `decaybench claims --list` lists them", at: entryLocation)
                continue
            }
            ids.append(id)
        }
        if document == 0 {
            claims = ids
            claimsLocation = location
        } else if claimsLocation == nil {
            reader.report("claims belongs in the first document", at: location)
        } else if ids != claims {
            reader.report("claims differ from the first document's; a file declares its claims once", at: location)
        }
    }

    private func agree(_ slot: inout String?, _ value: String, _ key: String, document: Int, at location: GridLocation,
                       reader: inout GridNodeReader) {
        if document == 0 {
            slot = value
        } else if let first = slot, first != value {
            reader.report("\(key) is '\(value)' here but '\(first)' in the first document; a file has one \(key)", at: location)
        } else if slot == nil {
            reader.report("\(key) belongs in the first document", at: location)
        }
    }

    /// Reports a missing name at the start of the first document.
    func requireName(at location: GridLocation?, reader: inout GridNodeReader) {
        guard name == nil, nameLocation == nil, let location else { return }
        reader.report("missing name: every grid needs a name ([A-Za-z0-9._-]+); it names the results file",
                      at: GridLocation(line: location.line, column: location.column, keyPath: "name"))
    }
}
