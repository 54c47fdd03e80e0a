import Foundation
import Planning
import Training

/// A finished (or diverged, failed, pending) run as stored in a results file.
public struct RunRecord: Sendable {
    public var run: PlannedRun
    public var status: RecordStatus
    public var message: String
    public var epochs: [EpochRecord]
    /// Final tensors, when the grid stores them.
    public var parameters: [NamedTensor]
    /// λ used at the first step (λ_norm rescaled when normalized).
    public var effectiveLambda: Double
    /// Every λ the run applied, in order (one per warm-restart period length when normalized).
    public var appliedLambdas: [Double]
    public var seconds: Double
    /// Where the run was computed; `.unknown` for a pending run.
    public var computedBy: RunProvenance
    /// The configuration format the run was computed under: the current one for a run of this
    /// build, the stored one for a run read from a file (a merge or a resume keeps it, so that
    /// `rerun` and `--reuse` still see what its configuration meant).
    public var configurationFormat: Int64 = ConfigurationFormat.current

    public enum RecordStatus: String, Sendable, CaseIterable {
        case finished, diverged, failed
        /// Not run yet (an interrupted grid).
        case pending
    }

    public struct NamedTensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    public init(run: PlannedRun, status: RecordStatus, message: String, epochs: [EpochRecord],
                parameters: [NamedTensor], effectiveLambda: Double, appliedLambdas: [Double] = [], seconds: Double,
                computedBy: RunProvenance = .unknown) {
        self.run = run
        self.status = status
        self.message = message
        self.epochs = epochs
        self.parameters = parameters
        self.effectiveLambda = effectiveLambda
        self.appliedLambdas = appliedLambdas
        self.seconds = seconds
        self.computedBy = computedBy
    }

    /// A record of a run that has not been computed.
    public static func pending(_ run: PlannedRun) -> RunRecord {
        RunRecord(run: run, status: .pending, message: "", epochs: [], parameters: [],
                  effectiveLambda: .nan, seconds: .nan)
    }

    /// The record of a training result.
    public init(run: PlannedRun, result: RunResult, keepParameters: Bool, computedBy: RunProvenance = .unknown) {
        let status: RecordStatus
        switch result.status {
        case .finished: status = .finished
        case .diverged: status = .diverged
        case .failed: status = .failed
        case .interrupted: status = .pending
        }
        self.init(run: run, status: status, message: result.message ?? "", epochs: result.epochs,
                  parameters: keepParameters ? result.namedParameters.map { NamedTensor(name: $0.name, shape: $0.shape, values: $0.values) } : [],
                  effectiveLambda: result.effectiveLambda, appliedLambdas: result.appliedLambdas, seconds: result.seconds,
                  computedBy: status == .pending ? .unknown : computedBy)
    }

    /// Final, best and last finite epoch; diverged, failed and pending runs have no final or best.
    public var outcome: RunOutcome {
        RunOutcome(epochs: epochs, completed: status == .finished, selectedOn: SelectionSplit(data: run.configuration.data))
    }

    /// The last epoch's metrics of a finished run; nil for any other (they are not results).
    public var final: EpochRecord? { outcome.final }

    /// The finished run's epoch of lowest validation error (test error without a validation
    /// split), the earliest on ties; nil for any other run.
    public var best: EpochRecord? { outcome.best }
}
