/// The optimizer's algorithm and its constants; part of every run's configuration.
public struct OptimizerSpec: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Plain stochastic gradient descent.
        case sgd
        /// SGD with heavy-ball momentum (PyTorch's buffer form, dampening 0).
        case sgdMomentum = "sgd-momentum"
        /// SGD with Nesterov momentum (PyTorch's form).
        case sgdNesterov = "sgd-nesterov"
        /// Adam (Kingma & Ba), bias-corrected.
        case adam
        /// Adam with the running maximum of v̂ in the denominator (Reddi et al.).
        case amsgrad
    }

    public var kind: Kind
    /// The base learning rate α > 0 (the grid's `lr` axis); the schedule multiplies it by η_t.
    public var learningRate: Double
    /// Momentum μ for the SGD kinds with momentum. In [0, 1).
    public var momentum: Double
    /// Adam's β1 and β2, in [0, 1).
    public var beta1: Double
    public var beta2: Double
    /// Adam's ε, added to √v̂.
    public var epsilon: Double

    public init(kind: Kind, learningRate: Double = 1e-3, momentum: Double = 0.9, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }
}
