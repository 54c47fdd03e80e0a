import Datasets
import Models

/// Turns a model specification and a data set into a concrete architecture, checking
/// that they fit together.
public enum ModelFactory {
    public static func architecture(for model: ModelSpec, dataset: Dataset) throws -> Architecture {
        let loss: Architecture.Loss
        switch dataset.task {
        case .classification: loss = .softmaxCrossEntropy
        case .regression: loss = .meanSquaredError
        }
        switch model.kind {
        case .linear:
            guard dataset.task == .regression else {
                throw ConfigurationError(field: "model.kind", "linear regression needs a regression data set; \(dataset.name) is a classification set (use softmax)")
            }
        case .softmax:
            guard case .classification = dataset.task else {
                throw ConfigurationError(field: "model.kind", "softmax regression needs a classification data set; \(dataset.name) is a regression set (use linear)")
            }
        case .mlp:
            break
        }
        if model.kind != .mlp && !model.hidden.isEmpty {
            throw ConfigurationError(field: "model.hidden", "\(model.kind.rawValue) models have no hidden layers; use kind mlp for \(model.hidden)")
        }
        if let width = model.hidden.first(where: { $0 < 1 }) {
            throw ConfigurationError(field: "model.hidden", "hidden widths must be at least 1, got \(width)")
        }
        if model.initialization == .zeros && !model.hidden.isEmpty {
            throw ConfigurationError(field: "model.init", "zero initialisation leaves hidden units identical forever; use he or glorot")
        }
        return Architecture(inputs: dataset.featureCount, hidden: model.hidden, outputs: dataset.task.outputCount,
                            activation: model.activation, loss: loss)
    }
}
