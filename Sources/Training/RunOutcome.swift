import Datasets

/// The split that chooses a run's best epoch (and a grid's best cell).
public enum SelectionSplit: String, Codable, CaseIterable, Sendable {
    /// Points held out of the training split: the test error at the choice is an honest estimate.
    case validation
    /// The test split itself, for data without a validation split: the test error at the
    /// choice is optimistic, and every report says so.
    case test

    /// Validation when `data` holds out a validation split, otherwise test.
    public init(data: DataSpec) {
        self = data.hasValidationSplit ? .validation : .test
    }
}

/// What a run's epochs amount to as a result: its final, last finite and best epoch.
///
/// Diverged, failed and interrupted runs are not results: they have no final or best
/// epoch, only a last finite one, kept under its own name so nothing computed is lost.
public struct RunOutcome: Sendable, Equatable {
    /// The last epoch of a run that trained every epoch; nil otherwise.
    public let final: EpochRecord?
    /// The last epoch recorded, whatever happened after it.
    public let lastFinite: EpochRecord?
    /// The epoch with the lowest error on `selectedOn` (the earliest on ties; NaN never
    /// wins), of a run that trained every epoch; nil otherwise.
    public let best: EpochRecord?
    public let selectedOn: SelectionSplit

    public init(epochs: [EpochRecord], completed: Bool, selectedOn: SelectionSplit) {
        self.selectedOn = selectedOn
        lastFinite = epochs.last
        final = completed ? epochs.last : nil
        guard completed else {
            best = nil
            return
        }
        var best: EpochRecord?
        for epoch in epochs {
            let error = Self.selectionError(of: epoch, on: selectedOn)
            guard !error.isNaN else { continue }
            if let current = best, !(error < Self.selectionError(of: current, on: selectedOn)) { continue }
            best = epoch
        }
        self.best = best
    }

    /// The error an epoch is chosen by.
    public static func selectionError(of epoch: EpochRecord, on split: SelectionSplit) -> Double {
        switch split {
        case .validation: return epoch.validationError
        case .test: return epoch.testError
        }
    }
}
