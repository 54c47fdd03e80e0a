import Foundation
import Results
import Optimization
import Training

/// A configuration without its seed, and its runs by seed.
struct Cell {
    /// The configuration with seed 0: what the cell's runs share.
    let configuration: RunConfiguration
    let runs: [UInt64: RunRecord]

    var lambda: Double { configuration.regularization.lambda }
    var learningRate: Double { configuration.optimizer.learningRate }
    var divergedSeeds: Int { runs.values.filter { $0.status == .diverged }.count }

    /// The mean of `metric` over the runs of `sample` (a multiset of seeds) that have it;
    /// nil when none has.
    func mean(on sample: [UInt64], _ metric: (RunRecord) -> Double?) -> Double? {
        Statistics.mean(sample.compactMap { seed in runs[seed].flatMap(metric) }.filter(\.isFinite))
    }

    /// The cells of `records`, in order of first appearance; pending runs are left out.
    static func cells(of records: [RunRecord]) -> [Cell] {
        var order: [String] = []
        var grouped: [String: (RunConfiguration, [UInt64: RunRecord])] = [:]
        for record in records where record.status != .pending {
            var configuration = record.run.configuration
            configuration.training.seed = 0
            let key = configuration.canonicalJSON
            if grouped[key] == nil {
                order.append(key)
                grouped[key] = (configuration, [:])
            }
            grouped[key]!.1[record.run.configuration.training.seed] = record
        }
        return order.map { Cell(configuration: grouped[$0]!.0, runs: grouped[$0]!.1) }
    }
}

/// Settings a claim compares across, cleared to group cells into contexts that share the rest.
struct ContextFields: OptionSet {
    let rawValue: Int
    static let lambda = ContextFields(rawValue: 1 << 0)
    static let learningRate = ContextFields(rawValue: 1 << 1)
    static let penalty = ContextFields(rawValue: 1 << 2)
    static let schedule = ContextFields(rawValue: 1 << 3)
    static let epochs = ContextFields(rawValue: 1 << 4)
    static let normalized = ContextFields(rawValue: 1 << 5)
    static let includeBiases = ContextFields(rawValue: 1 << 6)
    static let optimizer = ContextFields(rawValue: 1 << 7)

    /// The configuration with these settings reset, as a grouping key.
    func key(of configuration: RunConfiguration) -> String {
        var c = configuration
        c.training.seed = 0
        if contains(.lambda) { c.regularization.lambda = 0 }
        if contains(.learningRate) { c.optimizer.learningRate = 1 }
        if contains(.penalty) {
            c.regularization.penalty = .none
            c.regularization.decayConvention = .torch
        }
        if contains(.schedule) { c.schedule = ScheduleSpec() }
        if contains(.epochs) { c.training.epochs = 1 }
        if contains(.normalized) { c.regularization.normalized = false }
        if contains(.includeBiases) { c.regularization.includeBiases = false }
        if contains(.optimizer) { c.optimizer = OptimizerSpec(kind: .sgd, learningRate: c.optimizer.learningRate) }
        return c.canonicalJSON
    }

    /// `cells` grouped by `key` as `contexts(of:)` does, each with its label: the settings in
    /// which the groups differ (`ClaimMeasures.labels`).
    func labelledContexts(of cells: [Cell]) -> [(context: (key: String, cells: [Cell]), label: String)] {
        let contexts = contexts(of: cells)
        return Array(zip(contexts, ClaimMeasures.labels(forContextKeys: contexts.map(\.key))))
    }

    /// `cells` grouped by `key`, each group in order of first appearance.
    func contexts(of cells: [Cell]) -> [(key: String, cells: [Cell])] {
        var order: [String] = []
        var grouped: [String: [Cell]] = [:]
        for cell in cells {
            let key = key(of: cell.configuration)
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(cell)
        }
        return order.map { ($0, grouped[$0]!) }
    }
}

/// The family a cell belongs to: optimizer × penalty (× the decay convention for decoupled decay).
struct Family: Hashable, CustomStringConvertible {
    var optimizer: OptimizerSpec.Kind
    var penalty: RegularizationSpec.Penalty
    /// Nil matches either convention (and is the only value for coupled penalties).
    var convention: RegularizationSpec.DecayConvention?

    init(_ optimizer: OptimizerSpec.Kind, _ penalty: RegularizationSpec.Penalty, _ convention: RegularizationSpec.DecayConvention? = nil) {
        self.optimizer = optimizer
        self.penalty = penalty
        self.convention = convention
    }

    init(of configuration: RunConfiguration) {
        optimizer = configuration.optimizer.kind
        penalty = configuration.regularization.penalty
        convention = penalty == .decoupled ? configuration.regularization.decayConvention : nil
    }

    func contains(_ configuration: RunConfiguration) -> Bool {
        guard configuration.optimizer.kind == optimizer, configuration.regularization.penalty == penalty else { return false }
        guard let convention else { return true }
        return configuration.regularization.decayConvention == convention
    }

    var description: String {
        var text = "\(optimizer.rawValue) × \(penalty.rawValue)"
        if let convention { text += " (\(convention.rawValue))" }
        return text
    }
}
