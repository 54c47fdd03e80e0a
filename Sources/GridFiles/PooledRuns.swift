import Optimization
import Planning

/// The runs of all blocks together: their axes, coordinates and the checks that need them all.
///
/// Axes are the grid axes in order of first appearance over the blocks, then any field that
/// differs between blocks without being an axis (so pooled runs never share a cell), then
/// `seed`. A run's label on an axis its block does not vary is the label of its fixed value.
struct PooledRuns {
    private(set) var runs: [PlannedRun] = []
    private(set) var axes: [GridPlan.Axis] = []

    init(drafts: [GridExpansion.Draft], blocks: [GridBlock], fields: [GridField], reader: inout GridNodeReader) {
        var axisFields: [GridField] = []
        for axis in blocks.flatMap(\.axes) where !axisFields.contains(where: { $0.id == axis.field.id }) {
            axisFields.append(axis.field)
        }
        let axisIDs = Set(axisFields.map(\.id))
        let label = { (field: GridField, draft: RunDraft) in Self.label(of: field, in: draft, axisIDs: axisIDs) }

        // Individual schedule fields are covered by the `schedule` pseudo-field's label.
        let candidates = fields.filter { field in
            !axisIDs.contains(field.id) && !(field.section == "schedule" && !field.key.isEmpty)
        }
        for field in candidates {
            guard let first = drafts.first.map({ label(field, $0.draft) }) else { break }
            if drafts.contains(where: { label(field, $0.draft) != first }) { axisFields.append(field) }
        }

        let names = axisFields.map(\.axisName) + ["seed"]
        var labelSets = Array(repeating: [(label: String, number: Double?)](), count: names.count)
        var seen = Array(repeating: Set<String>(), count: names.count)
        for (index, item) in drafts.enumerated() {
            var coordinates: [PlannedRun.Coordinate] = []
            for (position, field) in axisFields.enumerated() {
                let text = label(field, item.draft)
                coordinates.append(.init(axis: field.axisName, label: text))
                if seen[position].insert(text).inserted {
                    labelSets[position].append((text, field.isNumeric ? field.read(item.draft).doubleValue : nil))
                }
            }
            let seed = String(item.draft.configuration.training.seed)
            coordinates.append(.init(axis: "seed", label: seed))
            if seen[axisFields.count].insert(seed).inserted {
                labelSets[axisFields.count].append((seed, Double(seed)))
            }
            runs.append(PlannedRun(index: index, block: item.block, coordinates: coordinates,
                                   configuration: item.draft.configuration))
        }
        let numeric = axisFields.map(\.isNumeric) + [true]
        axes = zip(names, zip(labelSets, numeric)).map { name, entry in
            let (labels, isNumeric) = entry
            // Numbers ascend; empty optionals (no number) keep their order after them.
            let ordered = isNumeric
                ? labels.filter { $0.number != nil }.sorted { $0.number! < $1.number! } + labels.filter { $0.number == nil }
                : labels
            // Axes whose every label reads as a number store numbers, so that xarray selects
            // them by value (`sel(lr=1e-3)`).
            let numbers = ordered.map { Double($0.label) }
            return GridPlan.Axis(name: name, labels: ordered.map(\.label),
                                 values: numbers.allSatisfy { $0 != nil } ? numbers.map { $0! } : nil)
        }
        reportRepeats(blocks: blocks, reader: &reader)
    }

    /// A run's label on `field`: the value's label, or for the schedule its kind with the
    /// parameters that matter for that kind and were written or differ from the default.
    static func label(of field: GridField, in draft: RunDraft, axisIDs: Set<String>) -> String {
        guard case .schedule = field.kind else { return field.label(field.read(draft)) }
        let schedule = draft.configuration.schedule
        let relevant = GridFields.scheduleParameters(relevantTo: schedule.kind)
        let defaults = RunDraft()
        guard case .schedule(let entry) = field.read(draft), case .schedule(let standard) = field.read(defaults) else {
            return schedule.kind.rawValue
        }
        var shown = ScheduleEntry(kind: schedule.kind.rawValue, parameters: [:])
        for key in GridFields.scheduleParameterKeys where relevant.contains(key) && !axisIDs.contains("schedule.\(key)") {
            if draft.scheduleMentioned.contains(key) || entry.parameters[key] != standard.parameters[key] {
                shown.parameters[key] = entry.parameters[key]
            }
        }
        return shown.label
    }

    /// Reports runs that repeat another run (same key) or share its cell (same coordinates),
    /// once per pair of blocks, with an example.
    private func reportRepeats(blocks: [GridBlock], reader: inout GridNodeReader) {
        var byKey: [String: PlannedRun] = [:]
        var byCell: [[String]: PlannedRun] = [:]
        var repeats: [[Int]: (count: Int, example: PlannedRun, first: PlannedRun, sameKey: Bool)] = [:]
        let names = axes.map(\.name)
        for run in runs {
            let cell = names.map { run.label(on: $0) ?? "" }
            let key = run.key  // a hash of the whole configuration: computed once per run
            var first = byKey[key]
            let sameKey = first != nil
            if first == nil { first = byCell[cell] }
            if let first {
                let pair = [first.block, run.block, sameKey ? 1 : 0]
                repeats[pair, default: (0, run, first, sameKey)].count += 1
            } else {
                byKey[key] = run
                byCell[cell] = run
            }
        }
        for (_, entry) in repeats.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let block = blocks[entry.example.block]
            let other = entry.first.block == entry.example.block
                ? "other runs of this block"
                : "runs of block \(entry.first.block + 1) (line \(blocks[entry.first.block].location.line))"
            let coordinates = names.map { "\($0)=\(entry.example.label(on: $0) ?? "")" }.joined(separator: ", ")
            let what = entry.sameKey ? "repeat" : "fall in the same result cell as"
            let why = entry.sameKey ? "" : " although their configurations differ; make the difference an axis"
            reader.report("\(entry.count) run(s) of block \(block.index + 1) \(what) \(other)\(why), e.g. \(coordinates)",
                          at: block.location)
        }
    }
}
