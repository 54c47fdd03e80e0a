import Datasets
import Models

/// Expands a block into run drafts: the cartesian product of its axes in file order, seeds
/// innermost, and the checks that need a whole run (required fields, model versus task).
enum GridExpansion {
    /// A run before it has an index and coordinates.
    struct Draft {
        var block: Int
        var draft: RunDraft
    }

    static func drafts(of block: GridBlock, fields: [GridField], reader: inout GridNodeReader) -> [Draft] {
        var base = RunDraft()
        for field in fields {
            if let setting = block.settings[field.id] { base.set(field, to: setting.value, at: setting.location) }
        }
        checkRequired(block, fields: fields, reader: &reader)

        var combinations: [[GridBlock.Setting]] = [[]]
        for axis in block.axes {
            combinations = combinations.flatMap { chosen in
                let parentLabel = axis.parent.map { block.axes[$0].field.label(chosen[$0].value) }
                return axis.values(forParent: parentLabel).map { chosen + [$0] }
            }
        }
        var drafts: [Draft] = []
        var problems = Set<GridProblem>()
        for chosen in combinations {
            var draft = base
            for (axis, setting) in zip(block.axes, chosen) {
                draft.set(axis.field, to: setting.value, at: setting.location)
            }
            if let conflict = draft.applyShorthand(), let at = draft.origins["optimizer.kind"] {
                var local = GridNodeReader(fileName: reader.fileName)
                local.report(conflict, at: at)
                for problem in local.problems where problems.insert(problem).inserted { reader.report(contentsOf: [problem]) }
            }
            for seed in block.seeds {
                var seeded = draft
                if case .integer(let number) = seed.value { seeded.configuration.training.seed = UInt64(number) }
                seeded.origins["training.seed"] = seed.location
                drafts.append(Draft(block: block.index, draft: seeded))
            }
            checkModel(draft, reader: &reader, seen: &problems)
        }
        return drafts
    }

    /// How many runs `block` expands into, counted without expanding it; nil when the count
    /// exceeds `limit`.
    ///
    /// Dependent axes form trees (each depends on one earlier axis), so the count is a sum
    /// over each axis's values of the product of its dependents' counts under that value:
    /// linear in the number of values written, whatever the product. Counts saturate just
    /// above `limit`, so nothing overflows.
    static func runCount(of block: GridBlock, limit: Int) -> Int? {
        let cap = limit + 1
        func times(_ a: Int, _ b: Int) -> Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? cap : min(product, cap)
        }
        let children = block.axes.indices.map { index in block.axes.indices.filter { block.axes[$0].parent == index } }
        // Runs contributed by axis `index` and the axes below it, given its parent's label.
        func count(_ index: Int, parentLabel: String?) -> Int {
            let axis = block.axes[index]
            var total = 0
            for value in axis.values(forParent: parentLabel) {
                let label = axis.field.label(value.value)
                let below = children[index].reduce(1) { times($0, count($1, parentLabel: label)) }
                total = min(total + below, cap)
            }
            return total
        }
        let roots = block.axes.indices.filter { block.axes[$0].parent == nil }
        let runs = roots.reduce(block.seeds.count) { times($0, count($1, parentLabel: nil)) }
        return runs > limit ? nil : runs
    }

    /// Reports each required field set neither in a section nor as an axis.
    private static func checkRequired(_ block: GridBlock, fields: [GridField], reader: inout GridNodeReader) {
        for field in fields {
            guard let because = field.requiredBecause, !block.written.contains(field.id) else { continue }
            let at = block.sectionLocations[field.section] ?? block.location
            let keyPath = GridLocation(line: 0, column: 0, keyPath: block.location.keyPath).appending(key: field.id)
            reader.report("missing \(field.id) (\(because)): set '\(field.key)' in '\(field.section)' "
                          + "or add the grid axis '\(field.axisName)'",
                          at: GridLocation(line: at.line, column: at.column, keyPath: keyPath))
        }
    }

    /// Reports models that cannot fit the data set's task, once per place.
    private static func checkModel(_ draft: RunDraft, reader: inout GridNodeReader, seen: inout Set<GridProblem>) {
        var local = GridNodeReader(fileName: reader.fileName)
        let model = draft.configuration.model
        let data = draft.configuration.data
        if draft.given.contains("model.kind"), draft.given.contains("dataset.name"),
           let task = task(of: data), let at = draft.origins["model.kind"] {
            if model.kind == .linear, task != .regression {
                local.report("model 'linear' needs a regression task, but dataset '\(data.source.rawValue)' is "
                             + "\(task.rawValue); use 'softmax' or 'mlp'", at: at)
            }
            if model.kind == .softmax, task != .classification {
                local.report("model 'softmax' needs a classification task, but dataset '\(data.source.rawValue)' is "
                             + "\(task.rawValue); use 'linear' or 'mlp'", at: at)
            }
        }
        if model.kind != .mlp, !model.hidden.isEmpty, let at = draft.origins["model.hidden"] {
            local.report("model '\(model.kind.rawValue)' has no hidden layers, but hidden is "
                         + "\(GridValue.integers(model.hidden).label()); use kind 'mlp' or drop 'hidden'", at: at)
        }
        if [.csv, .hdf5].contains(data.source), data.path == nil, draft.given.contains("dataset.name"),
           let at = draft.origins["dataset.name"] {
            local.report("dataset '\(data.source.rawValue)' needs a path to its file", at: at)
        }
        if data.validationFraction != nil, data.validationSize != nil, let at = draft.origins["dataset.validation_size"] {
            local.report("set validation_fraction or validation_size, not both", at: at)
        }
        for problem in local.problems where seen.insert(problem).inserted {
            reader.report(contentsOf: [problem])
        }
    }

    /// The task a data source implies; nil when only its `task` field could say and it is empty.
    static func task(of data: DataSpec) -> TaskKind? {
        switch data.source {
        case .fashionMNIST, .mnist, .syntheticClassification: return .classification
        case .syntheticRegression: return .regression
        case .csv, .hdf5: return data.task
        }
    }
}
