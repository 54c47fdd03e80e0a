/// Builds the canonical form of a grid: every setting with defaults filled in, independent of
/// comments, key order and number spelling, so two files describe the same runs exactly when
/// their canonical forms are equal.
enum GridCanonicalForm {
    /// Format version of the canonical form, bumped when its layout changes.
    static let version = 1

    /// The whole file: header, then the single block's contents at the top level, or `blocks`.
    static func file(name: String, description: String?, storedParameters: StoredParameters,
                     blocks: [CanonicalJSON]) -> CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "format": .integer(version),
            "name": .string(name),
            "description": description.map(CanonicalJSON.string) ?? .null,
            "store": .object(["params": .string(storedParameters.rawValue)]),
        ]
        if blocks.count == 1, case .object(let only) = blocks[0] {
            members.merge(only) { header, _ in header }
        } else {
            members["blocks"] = .array(blocks)
        }
        return .object(members)
    }

    /// One block as it expands: its sections (fields that are not axes), `grid` and `seeds`.
    static func block(_ block: GridBlock, fields: [GridField]) -> CanonicalJSON {
        var base = RunDraft()
        for field in fields {
            if let setting = block.settings[field.id] { base.set(field, to: setting.value, at: setting.location) }
        }
        let axisIDs = Set(block.axes.map(\.field.id))
        var sections: [String: [String: CanonicalJSON]] = [:]
        for field in fields where !field.key.isEmpty && !axisIDs.contains(field.id) {
            if field.id == "schedule.kind", axisIDs.contains("schedule") { continue }
            let missing = field.requiredBecause != nil && !base.given.contains(field.id)
            sections[field.section, default: [:]][field.key] = missing ? .null : CanonicalJSON(field.read(base))
        }
        var members = sections.mapValues(CanonicalJSON.object)

        var grid: [String: CanonicalJSON] = ["order": .array(block.axes.map { .string($0.name) })]
        for axis in block.axes {
            let values = { (settings: [GridBlock.Setting]) -> CanonicalJSON in
                .array(settings.map { setting in
                    var draft = base
                    draft.set(axis.field, to: setting.value, at: setting.location)
                    return CanonicalJSON(axis.field.read(draft))
                })
            }
            if axis.parent == nil {
                grid[axis.name] = values(axis.values)
            } else {
                grid[axis.name] = .object(axis.valuesByParentLabel.mapValues(values))
            }
        }
        members["grid"] = .object(grid)
        members["seeds"] = .array(block.seeds.map { CanonicalJSON($0.value) })
        return .object(members)
    }
}
