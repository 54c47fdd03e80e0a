/// The shape of a dense network and the loss it is trained with.
///
/// Linear regression, softmax regression and MLPs are all stacks of dense layers; they
/// differ in hidden widths and loss, so one type serves all three.
public struct Architecture: Hashable, Sendable {
    public enum Loss: String, Hashable, Sendable {
        /// mean over the batch of −log softmax(z)_y, computed stably.
        case softmaxCrossEntropy = "softmax-cross-entropy"
        /// mean over the batch of (ŷ − y)², PyTorch's `MSELoss` (no ½).
        case meanSquaredError = "mean-squared-error"
    }

    /// Widths of every layer's output, input first: [inputs, hidden..., outputs].
    public let widths: [Int]
    public let activation: ModelSpec.Activation
    public let loss: Loss

    public var inputCount: Int { widths[0] }
    public var outputCount: Int { widths[widths.count - 1] }
    public var layerCount: Int { widths.count - 1 }

    public init(inputs: Int, hidden: [Int], outputs: Int, activation: ModelSpec.Activation, loss: Loss) {
        precondition(inputs > 0 && outputs > 0 && hidden.allSatisfy { $0 > 0 }, "layer widths must be positive")
        precondition(loss == .meanSquaredError ? outputs == 1 : outputs >= 2,
                     "mean squared error takes one output; cross-entropy at least two")
        self.widths = [inputs] + hidden + [outputs]
        self.activation = activation
        self.loss = loss
    }

    /// Names, shapes and roles of the parameters: "layerN.weight" [out, in], "layerN.bias" [out].
    public var parameterLayout: ParameterLayout {
        var tensors: [(name: String, shape: [Int], role: ParameterLayout.Role)] = []
        for layer in 0..<layerCount {
            tensors.append(("layer\(layer).weight", [widths[layer + 1], widths[layer]], .weight))
            tensors.append(("layer\(layer).bias", [widths[layer + 1]], .bias))
        }
        return ParameterLayout(tensors)
    }
}
