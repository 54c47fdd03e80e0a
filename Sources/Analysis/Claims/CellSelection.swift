import Foundation
import Results
import Optimization
import Training

/// How every claim chooses: which epochs count as results, which split chooses, and which
/// cell is best. The one place a claim's selection is decided.
///
/// Cells are chosen on the mean over seeds of the validation error and report the test error
/// at that choice. A file without a validation split chooses on the test split, and every
/// claim read from it says so.
enum CellSelection {
    /// The split that chooses, for runs with this configuration: validation where the data
    /// holds one out, else test.
    static func split(of configuration: RunConfiguration) -> SelectionSplit {
        SelectionSplit(data: configuration.data)
    }

    /// Epoch `number` (from 1) of a finished run, or its last epoch when `number` is nil.
    /// Diverged, failed and pending runs have none: they are counted, never averaged in.
    static func epoch(of record: RunRecord, number: Int? = nil) -> EpochRecord? {
        guard record.status == .finished, !record.epochs.isEmpty else { return nil }
        guard let number else { return record.epochs.last }
        guard number >= 1, number <= record.epochs.count else { return nil }
        return record.epochs[number - 1]
    }

    /// The error an epoch is chosen by.
    static func selectionError(of epoch: EpochRecord, configuration: RunConfiguration) -> Double {
        RunOutcome.selectionError(of: epoch, on: split(of: configuration))
    }

    /// The selection-split error of a finished run at epoch `number` (nil: its last).
    static func selectionError(of record: RunRecord, epoch number: Int? = nil) -> Double? {
        epoch(of: record, number: number).map { selectionError(of: $0, configuration: record.run.configuration) }
    }

    /// The selection-split loss of a finished run at epoch `number` (nil: its last).
    static func selectionLoss(of record: RunRecord, epoch number: Int? = nil) -> Double? {
        epoch(of: record, number: number).map { epoch in
            split(of: record.run.configuration) == .validation ? epoch.validationLoss : epoch.testLoss
        }
    }

    /// The best of `cells` on the seeds `sample` (a multiset, as a bootstrap draws it), at
    /// epoch `number` (nil: each run's last): a cell with fewer diverged seeds beats one with
    /// more, then the lower mean selection error wins, then the lower mean selection loss;
    /// only cells equal in all three go to the earlier one.
    ///
    /// Errors come in steps of one image (0.0005 on 2,000): where λ matters less than that,
    /// cells tie exactly, and the grid's order alone chose λ*, so writing a λ list the other
    /// way round flipped verdicts. The loss, continuous, breaks such ties on the data.
    static func best(_ cells: [Cell], on sample: [UInt64], epoch number: Int? = nil) -> Cell? {
        // Asked only on a tie of the first two keys: the bootstrap chooses thousands of times.
        func loss(_ cell: Cell) -> Double { cell.mean(on: sample, { selectionLoss(of: $0, epoch: number) }) ?? .infinity }
        var best: (cell: Cell, diverged: Int, error: Double)?
        for cell in cells {
            guard let error = cell.mean(on: sample, { selectionError(of: $0, epoch: number) }) else { continue }
            if let current = best {
                let (ours, theirs) = ((current.diverged, current.error), (cell.divergedSeeds, error))
                if ours < theirs || (ours == theirs && loss(current.cell) <= loss(cell)) { continue }
            }
            best = (cell, cell.divergedSeeds, error)
        }
        return best?.cell
    }
}
