/// The architecture and initialisation of a model; part of every run's configuration.
public struct ModelSpec: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Linear regression, mean squared error.
        case linear
        /// Multinomial logistic regression, softmax cross-entropy.
        case softmax
        /// A multilayer perceptron; its loss follows the data set's task.
        case mlp
    }

    public enum Activation: String, Codable, CaseIterable, Sendable {
        case relu
        case tanh
    }

    public enum Initialization: String, Codable, CaseIterable, Sendable {
        /// Weights ~ N(0, 2/fan_in) (He et al. 2015), for ReLU networks.
        case he
        /// Weights ~ U(−a, a), a = √(6/(fan_in + fan_out)) (Glorot & Bengio 2010).
        case glorot
        /// All weights zero; only meaningful without hidden layers.
        case zeros
        /// PyTorch's `nn.Linear` default: weights and biases ~ U(−1/√fan_in, 1/√fan_in)
        /// (kaiming_uniform_ with a = √5), drawn from DecayBench's own random stream, so a
        /// grid can match a PyTorch study's initialisation in distribution.
        case torch
    }

    public var kind: Kind
    /// Hidden layer widths, input side first; empty for `linear` and `softmax`.
    public var hidden: [Int]
    public var activation: Activation
    public var initialization: Initialization

    public init(kind: Kind, hidden: [Int] = [], activation: Activation = .relu, initialization: Initialization = .he) {
        self.kind = kind
        self.hidden = hidden
        self.activation = activation
        self.initialization = initialization
    }
}
