import Datasets
import Planning
import Training

/// The checks that keep a grid within memory, and every run's settings within the limits
/// `RunConfiguration.problems()` sets, made while the file is read so `plan` and `run`
/// report the same problems at the lines that caused them.
enum GridSize {
    /// Reports a grid with more runs than allowed, counted without expanding it.
    ///
    /// - Returns: whether the grid may be expanded.
    static func checkRunCount(of blocks: [GridBlock], allowingLargeGrids: Bool, reader: inout GridNodeReader) -> Bool {
        let limit = allowingLargeGrids ? GridLimits.forcedRuns : GridLimits.runs
        // Counted up to the larger limit, so the message can say whether --force would help.
        var total = 0
        var largest: (block: GridBlock, runs: Int)?
        for block in blocks {
            // Int.max stands for "beyond every limit": the count stopped there.
            let runs = GridExpansion.runCount(of: block, limit: GridLimits.forcedRuns) ?? Int.max
            if runs > largest?.runs ?? -1 { largest = (block, runs) }
            let (sum, overflow) = total.addingReportingOverflow(runs)
            total = overflow ? Int.max : sum
        }
        guard total > limit, let largest else { return checkMemory(forRuns: total, at: blocks.first?.location, reader: &reader) }
        let describe = { (runs: Int) in runs > GridLimits.forcedRuns ? "more than \(GridLimits.forcedRuns)" : String(runs) }
        let count = describe(total)
        let axes = largest.block.axes.map { "\($0.name) \($0.values.count)" } + ["seeds \(largest.block.seeds.count)"]
        let blockText = blocks.count == 1 ? "" : " (block \(largest.block.index + 1) alone: \(describe(largest.runs)))"
        let advice = total > GridLimits.forcedRuns
            ? "DecayBench expands at most \(GridLimits.forcedRuns) runs; split the grid into several files"
            : "more than \(limit); check the axes, or allow up to \(GridLimits.forcedRuns) runs with --force"
        reader.report("the grid expands into \(count) runs\(blockText) (\(axes.joined(separator: " × ")) values); \(advice)",
                      at: largest.block.location)
        return false
    }

    /// Memory one expanded run holds while a grid is planned and run (its configuration,
    /// labels, key and record): about 5.2 KB per run measured with `plan --force` between
    /// 25,000 and 100,000 runs, rounded up.
    static let bytesPerRun = 8_000

    /// Reports a grid whose runs would not fit in the memory available now: expanding 10^6
    /// runs under a 4 GB limit ran 135 s and then died on an allocation.
    static func checkMemory(forRuns runs: Int, at location: GridLocation?, reader: inout GridNodeReader) -> Bool {
        let (needed, overflow) = runs.multipliedReportingOverflow(by: bytesPerRun)
        let available = DataLimits.memoryAvailableNow
        guard overflow || needed > available.bytes else { return true }
        reader.report("the grid's \(runs) runs need about \(DataLimits.describe(bytes: overflow ? Int.max : needed)) of memory "
                      + "to plan and run, more than \(available.described); "
                      + "split the grid into several files", at: location ?? GridLocation(line: 1, column: 1, keyPath: ""))
        return false
    }

    /// Reports every run setting that `RunConfiguration.problems()` rejects (sizes above the
    /// limits, settings that contradict each other), once per place and message, at the line
    /// that set the field, or at the block when the field kept its default.
    static func checkConfigurations(_ drafts: [GridExpansion.Draft], blocks: [GridBlock], reader: inout GridNodeReader) {
        var seen = Set<GridProblem>()
        var checked = Set<RunConfiguration>()
        for item in drafts where checked.insert(item.draft.configuration).inserted {
            for problem in item.draft.configuration.problems() {
                let id = gridFieldID(of: problem.field)
                let at = item.draft.origins[id] ?? (id.hasPrefix("schedule.") ? item.draft.origins["schedule"] : nil)
                    ?? blocks[item.block].location
                var local = GridNodeReader(fileName: reader.fileName)
                local.report(problem.message, at: GridLocation(line: at.line, column: at.column, keyPath: id))
                for found in local.problems where seen.insert(found).inserted { reader.report(contentsOf: [found]) }
            }
        }
    }

    /// Reports result arrays too large to hold: the `/grid` cells (the product of the axes'
    /// lengths) and the `/curves` values (runs × the most epochs).
    static func checkArrays(runs: [PlannedRun], axes: [GridPlan.Axis], at location: GridLocation?, reader: inout GridNodeReader) {
        let at = location ?? GridLocation(line: 1, column: 1, keyPath: "")
        var cells = 1
        for axis in axes {
            let (product, overflow) = cells.multipliedReportingOverflow(by: axis.labels.count)
            cells = overflow ? Int.max : product
        }
        if cells > GridLimits.cells {
            let shape = axes.map { "\($0.name) \($0.labels.count)" }.joined(separator: " × ")
            reader.report("the result arrays over the axes (\(shape)) would have "
                          + (cells == Int.max ? "more cells than any integer" : "\(cells) cells")
                          + ", more than \(GridLimits.cells); blocks that vary different fields multiply them: "
                          + "split the grid into several files", at: at)
        }
        let epochs = runs.map(\.configuration.training.epochs).max() ?? 0
        let (values, overflow) = runs.count.multipliedReportingOverflow(by: epochs)
        if overflow || values > GridLimits.curveValues {
            reader.report("\(runs.count) runs of up to \(epochs) epochs make curves of \(overflow ? "too many" : String(values)) "
                          + "values each, more than \(GridLimits.curveValues); use fewer runs or epochs", at: at)
        }
    }

    /// A configuration field's id as a grid file writes it (`data.classes` → `dataset.classes`).
    private static func gridFieldID(of field: String) -> String {
        field.hasPrefix("data.") ? "dataset." + field.dropFirst("data.".count) : field
    }
}
