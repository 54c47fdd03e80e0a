import Yams

/// One block with the top-level settings it inherits, its axes in order and their dependencies
/// resolved: everything needed to expand it into runs.
struct GridBlock {
    typealias Setting = GridBlockSource.Setting

    /// An axis whose values may depend on the value of an earlier axis.
    struct Axis {
        var field: GridField
        var name: String
        var location: GridLocation
        /// Index of the axis this one depends on, if any.
        var parent: Int?
        /// The values (independent axis) or their union in file order (dependent axis).
        var values: [Setting]
        /// Dependent axis: the values for each label of the parent axis.
        var valuesByParentLabel: [String: [Setting]] = [:]

        /// The values to combine with a given parent value.
        func values(forParent label: String?) -> [Setting] {
            guard parent != nil else { return values }
            return label.flatMap { valuesByParentLabel[$0] } ?? []
        }
    }

    var index: Int
    var location: GridLocation
    var settings: [String: Setting]
    var sectionLocations: [String: GridLocation]
    /// Ids of the fields the file writes for this block, valid or not.
    var written: Set<String>
    var axes: [Axis] = []
    var seeds: [Setting]

    /// Overlays `own` on `top` (a block's keys win field by field; a field the block sets in a
    /// section also drops the top-level axis for it) and resolves dependent axes.
    init(index: Int, top: GridBlockSource?, own: GridBlockSource, reader: inout GridNodeReader) {
        self.index = index
        location = own.location
        settings = (top?.settings ?? [:]).merging(own.settings) { _, mine in mine }
        sectionLocations = (top?.sectionLocations ?? [:]).merging(own.sectionLocations) { _, mine in mine }
        written = own.written.union(top?.written ?? [])
        seeds = own.seeds ?? top?.seeds ?? [Setting(value: .integer(0), location: own.location)]

        // The schedule axis sets the schedule kind, so a block fixing the kind drops it too.
        var sources = (top?.axes ?? []).filter { axis in
            own.settings[axis.field.id] == nil && !(axis.field.id == "schedule" && own.settings["schedule.kind"] != nil)
        }
        for axis in own.axes {
            if let position = sources.firstIndex(where: { $0.field.id == axis.field.id }) {
                sources[position] = axis
            } else {
                sources.append(axis)
            }
        }
        for source in sources {
            if let axis = resolve(source, reader: &reader) { axes.append(axis) }
        }
    }

    /// Turns a source axis into a resolved one, finding the earlier axis a keyed axis depends on.
    private func resolve(_ source: GridBlockSource.Axis, reader: inout GridNodeReader) -> Axis? {
        switch source.values {
        case .list(let values):
            return Axis(field: source.field, name: source.name, location: source.location, parent: nil, values: values)
        case .byKey(let lists):
            guard let parent = parentIndex(of: source, keys: lists.map { ($0.key, $0.location) }, reader: &reader) else {
                return nil
            }
            let parentAxis = axes[parent]
            var axis = Axis(field: source.field, name: source.name, location: source.location, parent: parent, values: [])
            var seen = Set<String>()
            var keyTexts: [String: String] = [:]  // the first key written for each label
            for list in lists {
                let label = Self.keyLabel(list.key, as: parentAxis)
                let text = list.key.scalar?.string ?? label
                if let earlier = keyTexts[label] {
                    // Keys match as values: two spellings of one value would let one list win in silence.
                    reader.report("the keys '\(earlier)' and '\(text)' of '\(source.name)' both mean \(parentAxis.name) '\(label)'; "
                                  + "give each value of '\(parentAxis.name)' one key", at: list.location)
                    continue
                }
                keyTexts[label] = text
                axis.valuesByParentLabel[label] = list.values
                for value in list.values where seen.insert(source.field.label(value.value)).inserted {
                    axis.values.append(value)
                }
            }
            for value in parentAxis.values where axis.valuesByParentLabel[parentAxis.field.label(value.value)] == nil {
                let label = parentAxis.field.label(value.value)
                reader.report("no values for \(parentAxis.name) '\(label)': '\(source.name)' depends on '\(parentAxis.name)', "
                              + "so it needs a key '\(label)'", at: source.location)
            }
            return axis
        }
    }

    /// Labels for a message: the first few, then how many there are in all.
    static func brief(_ labels: [String], atMost limit: Int = 12) -> String {
        labels.count <= limit ? labels.joined(separator: ", ")
            : labels.prefix(limit).joined(separator: ", ") + ", … (\(labels.count) in all)"
    }

    /// The one earlier axis whose values include every key, or nil and a problem saying why not.
    private func parentIndex(of source: GridBlockSource.Axis, keys: [(node: Node, location: GridLocation)],
                             reader: inout GridNodeReader) -> Int? {
        let labelsByAxis = axes.map { axis in Set(axis.values.map { axis.field.label($0.value) }) }
        let matches = axes.indices.map { index in
            keys.filter { labelsByAxis[index].contains(Self.keyLabel($0.node, as: axes[index])) }.count
        }
        let candidates = axes.indices.filter { matches[$0] == keys.count }
        if candidates.count == 1 { return candidates[0] }
        let keyList = Self.brief(keys.map { $0.node.scalar?.string ?? "?" })
        if candidates.count > 1 {
            let names = candidates.map { "'\(axes[$0].name)'" }.joined(separator: " and ")
            reader.report("the keys of '\(source.name)' (\(keyList)) are values of both \(names); "
                          + "an axis may depend on exactly one earlier axis", at: source.location)
            return nil
        }
        // Name the odd keys only when one axis is clearly meant: the unique best match.
        guard let best = axes.indices.max(by: { matches[$0] < matches[$1] }), matches[best] > 0,
              matches.filter({ $0 == matches[best] }).count == 1 else {
            let earlier = axes.isEmpty ? "none" : axes.map { axis in
                "\(axis.name) [\(Self.brief(axis.values.map { axis.field.label($0.value) }))]"
            }.joined(separator: "; ")
            reader.report("the keys of '\(source.name)' (\(keyList)) must all be values of one earlier axis; "
                          + "earlier axes: \(earlier)", at: source.location)
            return nil
        }
        let parent = axes[best]
        let labels = parent.values.map { parent.field.label($0.value) }
        for key in keys where !labelsByAxis[best].contains(Self.keyLabel(key.node, as: parent)) {
            let text = key.node.scalar?.string ?? "?"
            // The hint compares with every label: skipped for long axes, where it would cost
            // time quadratic in the keys (5,000 odd keys took 43 s and a 145 MB report).
            reader.report("'\(text)' is not a value of the axis '\(parent.name)' (\(Self.brief(labels)))"
                          + (labels.count <= 100 ? ClosestMatch.hint(for: text, among: labels) : ""), at: key.location)
        }
        return nil
    }

    /// A key as a label of `axis`: read as one of its values when it parses (so `1e-3` matches
    /// `0.001`), else the key's own text (so a schedule label can be a key).
    private static func keyLabel(_ key: Node, as axis: Axis) -> String {
        var scratch = GridNodeReader(fileName: "")
        if let value = scratch.value(of: key, for: axis.field, at: GridLocation(line: 0, column: 0, keyPath: "")) {
            return axis.field.label(value)
        }
        return key.scalar?.string ?? ""
    }
}
