import Yams

/// What one block of a grid file writes itself, before it inherits the top-level settings.
///
/// A block is a YAML document, an entry of a `blocks:` list, or the top level of a document
/// (whose settings are the defaults of its `blocks:` entries).
struct GridBlockSource {
    /// A value written for one field, and where.
    struct Setting {
        var value: GridValue
        var location: GridLocation
    }

    /// One axis as written: a list of values, or lists by the values of an earlier axis.
    struct Axis {
        enum Values {
            case list([Setting])
            /// Keys as written (their nodes, to be read as values of the axis they turn out to
            /// depend on) and the list under each.
            case byKey([(key: Node, location: GridLocation, values: [Setting])])
        }

        var field: GridField
        /// The canonical axis name (`lr` for `optimizer.lr`).
        var name: String
        var location: GridLocation
        var values: Values

        /// Every value written, under any key.
        var allValues: [Setting] {
            switch values {
            case .list(let settings): return settings
            case .byKey(let lists): return lists.flatMap(\.values)
            }
        }
    }

    var location: GridLocation
    /// Section values by field id (`training.epochs`).
    var settings: [String: Setting] = [:]
    /// Ids of every field written in a section or as an axis, valid or not, so a field with a
    /// bad value is not also reported missing.
    var written: Set<String> = []
    /// Where each section mapping starts, for "missing required key" problems.
    var sectionLocations: [String: GridLocation] = [:]
    /// Where each field written in a section is, valid or not.
    private var sectionFieldLocations: [String: GridLocation] = [:]
    var axes: [Axis] = []
    var seeds: [Setting]?

    init(location: GridLocation) {
        self.location = location
    }

    /// Reads the sections, `grid` and `seeds` of a block mapping; other keys are the caller's.
    init(pairs: [(key: String, keyNode: Node, value: Node)], location: GridLocation,
         fields: [GridField], reader: inout GridNodeReader) {
        self.init(location: location)
        for pair in pairs {
            let keyLocation = GridLocation(pair.keyNode, keyPath: location.appending(key: pair.key), fallback: location)
            let valueLocation = GridLocation(pair.value, keyPath: keyLocation.keyPath, fallback: keyLocation)
            // A key whose lines were all commented out reads as null: an empty mapping, not a mistake.
            if GridNodeReader.Scalar(pair.value) == .null, pair.key != "seeds" { continue }
            switch pair.key {
            case let section where GridFields.sections.contains(section):
                readSection(section, pair.value, at: valueLocation, fields: fields, reader: &reader)
            case "grid":
                readGrid(pair.value, at: valueLocation, fields: fields, reader: &reader)
            case "seeds":
                readSeeds(pair.value, at: valueLocation, reader: &reader)
            default:
                break
            }
        }
        reportFieldsSetTwice(reader: &reader)
    }

    /// A field this block both sets and varies: the axis would override the set value in every
    /// run, in silence (`t0: 3` in the schedule section or in a schedule entry, and a `t0` axis).
    /// A block's axis overriding what it inherits from the top level is the documented way to
    /// vary a default, and is not this.
    private func reportFieldsSetTwice(reader: inout GridNodeReader) {
        var scheduleEntryParameters: [String: GridLocation] = [:]
        for axis in axes where axis.field.id == "schedule" {
            for setting in axis.allValues {
                guard case .schedule(let entry) = setting.value else { continue }
                for key in entry.parameters.keys where scheduleEntryParameters[key] == nil {
                    scheduleEntryParameters[key] = setting.location
                }
            }
        }
        for axis in axes {
            // The schedule axis sets the kind.
            let id = axis.field.id == "schedule" ? "schedule.kind" : axis.field.id
            if let at = sectionFieldLocations[id] {
                reader.report("the axis '\(axis.name)' varies \(id), which the \(axis.field.section) section also sets "
                              + "(line \(at.line)); the axis would override it in every run: remove one of the two",
                              at: axis.location)
            }
            if axis.field.section == "schedule", axis.field.id != "schedule", let at = scheduleEntryParameters[axis.field.key] {
                reader.report("the axis '\(axis.name)' varies \(id), which a schedule entry also sets (line \(at.line)); "
                              + "the later of the two would override the other in every run: remove one of them",
                              at: axis.location)
            }
        }
    }

    private mutating func readSection(_ section: String, _ node: Node, at location: GridLocation,
                                      fields: [GridField], reader: inout GridNodeReader) {
        guard let pairs = reader.mapping(node, at: location, expected: "a mapping of \(section) settings") else { return }
        sectionLocations[section] = location
        let sectionFields = fields.filter { $0.section == section && !$0.key.isEmpty }
        reader.rejectUnknownKeys(pairs, valid: sectionFields.map(\.key), in: location, what: "\(section) key")
        for pair in pairs {
            guard let field = sectionFields.first(where: { $0.key == pair.key }) else { continue }
            written.insert(field.id)
            let valueLocation = GridLocation(pair.value, keyPath: location.appending(key: pair.key), fallback: location)
            sectionFieldLocations[field.id] = valueLocation
            if let value = reader.value(of: pair.value, for: field, at: valueLocation) {
                settings[field.id] = Setting(value: value, location: valueLocation)
            }
        }
    }

    private mutating func readGrid(_ node: Node, at location: GridLocation, fields: [GridField], reader: inout GridNodeReader) {
        guard let pairs = reader.mapping(node, at: location, expected: "a mapping of axes") else { return }
        let axisFields = fields.filter { !$0.axisNames.isEmpty }
        let canonicalNames = axisFields.map(\.axisName)
        var seen: [String: String] = [:]
        for pair in pairs {
            let keyLocation = GridLocation(pair.keyNode, keyPath: location.appending(key: pair.key), fallback: location)
            guard let field = axisFields.first(where: { $0.axisNames.contains(pair.key) }) else {
                let hint = pair.key == "seed" || pair.key == "seeds"
                    ? "; seeds are given by the top-level key 'seeds'"
                    : ClosestMatch.hint(for: pair.key, among: canonicalNames)
                reader.report("unknown axis '\(pair.key)'\(hint); valid axes: \(canonicalNames.joined(separator: ", "))",
                              at: keyLocation)
                continue
            }
            if let earlier = seen[field.id] {
                reader.report("'\(pair.key)' varies the same field as the axis '\(earlier)'", at: keyLocation)
                continue
            }
            seen[field.id] = pair.key
            written.insert(field.id)
            let valueLocation = GridLocation(pair.value, keyPath: keyLocation.keyPath, fallback: keyLocation)
            guard let values = Self.axisValues(pair.value, field: field, at: valueLocation, reader: &reader) else { continue }
            // Problems with a keyed axis as a whole read best at its name; a list's at the list.
            let isKeyed = if case .byKey = values { true } else { false }
            axes.append(Axis(field: field, name: field.axisName, location: isKeyed ? keyLocation : valueLocation, values: values))
        }
    }

    /// An axis's values: a list, or a mapping from another axis's values to lists.
    private static func axisValues(_ node: Node, field: GridField, at location: GridLocation,
                                   reader: inout GridNodeReader) -> Axis.Values? {
        if case .mapping(let mapping) = node {
            guard !mapping.isEmpty else {
                reader.report("empty axis: expected a list of values or lists by the values of an earlier axis", at: location)
                return nil
            }
            var lists: [(key: Node, location: GridLocation, values: [Setting])] = []
            for (key, value) in mapping {
                let keyText = key.scalar?.string ?? GridNodeReader.describe(key)
                let keyLocation = GridLocation(key, keyPath: location.appending(key: keyText), fallback: location)
                let listLocation = GridLocation(value, keyPath: keyLocation.keyPath, fallback: keyLocation)
                if let values = list(value, field: field, at: listLocation, reader: &reader) {
                    lists.append((key, keyLocation, values))
                }
            }
            return .byKey(lists)
        }
        return list(node, field: field, at: location, reader: &reader).map(Axis.Values.list)
    }

    /// A list of distinct values for `field`; a problem for each bad or repeated one.
    private static func list(_ node: Node, field: GridField, at location: GridLocation,
                             reader: inout GridNodeReader) -> [Setting]? {
        guard let elements = reader.sequence(node, at: location,
                                             expected: "a list of values (\(field.expectation)) or a mapping of lists") else {
            return nil
        }
        guard !elements.isEmpty else {
            reader.report("empty axis: expected at least one value (\(field.expectation))", at: location)
            return nil
        }
        var values: [Setting] = []
        var firstByLabel: [String: GridLocation] = [:]  // a linear check: axes may hold thousands of values
        for (index, element) in elements.enumerated() {
            let elementLocation = GridLocation(element, keyPath: location.appending(index: index), fallback: location)
            guard let value = reader.value(of: element, for: field, at: elementLocation) else { continue }
            let label = field.label(value)
            if let first = firstByLabel[label] {
                reader.report("duplicate value \(label) (first at \(first.line):\(first.column))", at: elementLocation)
                continue
            }
            firstByLabel[label] = elementLocation
            values.append(Setting(value: value, location: elementLocation))
        }
        return values
    }

    private mutating func readSeeds(_ node: Node, at location: GridLocation, reader: inout GridNodeReader) {
        guard let elements = reader.sequence(node, at: location, expected: "a list of non-negative integers") else { return }
        guard !elements.isEmpty else {
            reader.report("expected at least one seed", at: location)
            return
        }
        let field = GridField(section: "", key: "seeds", kind: .integer(.nonNegative), absentWord: nil, axisNames: [],
                              requiredBecause: nil, read: { _ in .absent }, write: { _, _ in })
        var seeds: [Setting] = []
        var firstByValue: [GridValue: GridLocation] = [:]
        for (index, element) in elements.enumerated() {
            let elementLocation = GridLocation(element, keyPath: location.appending(index: index), fallback: location)
            guard let value = reader.value(of: element, for: field, at: elementLocation) else { continue }
            if let first = firstByValue[value] {
                reader.report("duplicate seed \(value.label()) (first at \(first.line):\(first.column))", at: elementLocation)
                continue
            }
            firstByValue[value] = elementLocation
            seeds.append(Setting(value: value, location: elementLocation))
        }
        self.seeds = seeds
    }
}
