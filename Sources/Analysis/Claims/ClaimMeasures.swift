import Foundation
import Results
import Optimization
import Training

/// Measurements several claims share: comparing best cells, labelling contexts, cell names.
enum ClaimMeasures {
    /// The final test error of a finished run.
    static func testError(_ record: RunRecord) -> Double? {
        CellSelection.epoch(of: record)?.testError
    }

    /// Mean over the seeds of `sample` that both cells finished of metric(a) − metric(b).
    static func pairedDifference(_ a: Cell, _ b: Cell, on sample: [UInt64], _ metric: (RunRecord) -> Double?) -> Double? {
        let differences = sample.compactMap { seed -> Double? in
            guard let ra = a.runs[seed], let rb = b.runs[seed], let x = metric(ra), let y = metric(rb), x.isFinite, y.isFinite else { return nil }
            return x - y
        }
        return Statistics.mean(differences)
    }

    /// Best of `first` against best of `second`, each chosen on the selection split at
    /// `epoch` (nil: the last), as the paired difference of their test errors there
    /// (first − second), with a seed-bootstrap interval that reselects on every resample.
    static func bestAgainstBest(_ first: [Cell], _ second: [Cell], seeds: [UInt64], epoch: Int? = nil,
                                scope: String, names: (String, String)) -> Finding? {
        // A best cell means something only where a search chose it: at least two learning rates.
        guard Set(first.map(\.learningRate)).count >= 2, Set(second.map(\.learningRate)).count >= 2 else { return nil }
        let metric: (RunRecord) -> Double? = { CellSelection.epoch(of: $0, number: epoch)?.testError }
        let statistic: ([UInt64]) -> Double? = { sample in
            guard let a = CellSelection.best(first, on: sample, epoch: epoch),
                  let b = CellSelection.best(second, on: sample, epoch: epoch) else { return nil }
            return pairedDifference(a, b, on: sample, metric)
        }
        let (value, interval) = SeedBootstrap(seeds: seeds).estimate(statistic)
        var notes: [String] = []
        let bestFirst = CellSelection.best(first, on: seeds, epoch: epoch), bestSecond = CellSelection.best(second, on: seeds, epoch: epoch)
        if let a = bestFirst, let b = bestSecond {
            let ea = a.mean(on: seeds, metric), eb = b.mean(on: seeds, metric)
            notes.append("best \(names.0): \(describe(a)), test error \(format(ea)); best \(names.1): \(describe(b)), test error \(format(eb))")
            if let value, let eb = ea, eb > 0 { notes.append(String(format: "relative difference %.1f%% of %@'s error", 100 * value / eb, names.0)) }
            notes.append(contentsOf: edgeNotes(a, among: first, name: names.0) + edgeNotes(b, among: second, name: names.1))
        }
        let diverged = (first + second).map(\.divergedSeeds).reduce(0, +)
        if diverged > 0 { notes.append("\(diverged) diverged runs counted, not averaged in") }
        // Every run of a family diverged or failed: "inconclusive" alone would not say why.
        for (chosen, name) in [(bestFirst, names.0), (bestSecond, names.1)] where chosen == nil {
            notes.append("no cell of \(name) has a finished run to choose: the comparison has no value")
        }
        return Finding(scope: scope, value: value, interval: interval, seeds: seeds.count, notes: notes)
    }

    /// A warning when the chosen cell's λ or lr is the smallest or largest its group tried.
    static func edgeNotes(_ cell: Cell, among cells: [Cell], name: String) -> [String] {
        var notes: [String] = []
        let lambdas = Set(cells.map(\.lambda).filter { $0 > 0 }), rates = Set(cells.map(\.learningRate))
        if lambdas.count > 1, cell.lambda > 0, cell.lambda == lambdas.max() { notes.append("\(name): best λ is the grid's largest") }
        if rates.count > 1, cell.learningRate == rates.min() || cell.learningRate == rates.max() {
            notes.append("\(name): best lr is on the grid's edge")
        }
        return notes
    }

    /// "λ=0.01 lr=0.001 cosine" — what tells cells apart in tables.
    static func describe(_ cell: Cell) -> String {
        let c = cell.configuration
        var text = "λ=\(format(c.regularization.lambda)) lr=\(format(c.optimizer.learningRate))"
        if c.schedule.kind != .constant { text += " \(c.schedule.kind.rawValue)" }
        return text
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "—" }
        return value == 0 ? "0" : String(format: "%.4g", value)
    }

    /// Settings a finding's family already names, left out of context labels.
    static let namedByFamily: Set<String> = ["optimizer.kind", "regularization.penalty", "regularization.decayConvention"]

    /// Labels for contexts: the settings in which they differ, spelt as in grid files
    /// (`epochs=60`, `schedule=cosine`, `include_biases=true`).
    static func labels(forContextKeys keys: [String]) -> [String] {
        let flattened = keys.map { flatten(json: $0) }
        var differing = Set(flattened.flatMap(\.keys)).filter { key in
            !namedByFamily.contains(key) && Set(flattened.map { $0[key] ?? "" }).count > 1
        }
        // Where a section's kind differs (a schedule), its kind says enough: its other settings
        // differ only because each kind has its own.
        for kind in differing where kind.hasSuffix(".kind") {
            let section = String(kind.dropLast("kind".count))
            differing = differing.filter { !$0.hasPrefix(section) || $0 == kind }
        }
        let ordered = differing.sorted()
        return flattened.map { fields in ordered.map { gridSpelling(of: $0, value: fields[$0]) }.joined(separator: " ") }
    }

    /// Configuration fields that are true or false (JSON gives them as 1 and 0 here).
    static let booleanFields: Set<String> = ["regularization.includeBiases", "regularization.normalized", "data.standardize", "data.header"]

    /// `section.someKey` and its value as a grid file names them: `some_key=value`, a section's
    /// kind by the section's name, the learning rate as `lr`.
    static func gridSpelling(of field: String, value: String?) -> String {
        var text = value ?? "—"
        if booleanFields.contains(field) { text = text == "1" ? "true" : text == "0" ? "false" : text }
        let parts = field.split(separator: ".").map(String.init)
        guard let last = parts.last else { return "\(field)=\(text)" }
        let name: String
        switch last {
        case "kind" where parts.count > 1: name = parts[parts.count - 2]
        case "learningRate": name = "lr"
        default: name = last.reduce(into: "") { result, character in
            result += character.isUppercase ? "_" + character.lowercased() : String(character)
        }
        }
        return "\(name)=\(text)"
    }

    static func flatten(json: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) else { return [:] }
        var fields: [String: String] = [:]
        func walk(_ value: Any, _ path: String) {
            if let dictionary = value as? [String: Any] {
                for (key, child) in dictionary { walk(child, path.isEmpty ? key : path + "." + key) }
            } else {
                fields[path] = "\(value)"
            }
        }
        walk(object, "")
        return fields
    }

    /// Joins a family and a context label into a finding's scope.
    static func scope(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
