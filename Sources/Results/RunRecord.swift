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
    public var seconds: Double
    /// Where the run was computed; `.unknown` for a pending run.
    public var computedBy: RunProvenance

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
                parameters: [NamedTensor], effectiveLambda: Double, seconds: Double, computedBy: RunProvenance = .unknown) {
        self.run = run
        self.status = status
        self.message = message
        self.epochs = epochs
        self.parameters = parameters
        self.effectiveLambda = effectiveLambda
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
                  effectiveLambda: result.effectiveLambda, seconds: result.seconds,
                  computedBy: status == .pending ? .unknown : computedBy)
    }

    /// The last epoch's metrics, if any epoch finished.
    public var final: EpochRecord? { epochs.last }

    /// The epoch with the lowest test error (the earliest on ties); NaN errors never win.
    public var best: EpochRecord? {
        var best: EpochRecord?
        for epoch in epochs where !epoch.testError.isNaN {
            if best == nil || epoch.testError < best!.testError { best = epoch }
        }
        return best ?? epochs.last
    }
}
