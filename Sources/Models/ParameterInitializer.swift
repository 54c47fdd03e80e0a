import TensorMath

/// Seeded initial parameters for an `Architecture`.
public enum ParameterInitializer {
    /// A fresh parameter vector: weights by `scheme`, biases zero (uniform too for `torch`).
    ///
    /// Draws from one stream in layer order, so the result is a pure function of the
    /// architecture, the scheme and the generator's seed.
    public static func parameters(
        for architecture: Architecture, scheme: ModelSpec.Initialization, random: inout DeterministicRandom
    ) -> [Float] {
        let layout = architecture.parameterLayout
        var values = [Float](repeating: 0, count: layout.count)
        if scheme == .torch {
            // nn.Linear.reset_parameters: both tensors of a layer share the bound 1/√fan_in,
            // where fan_in is the weight's column count; the layout lists each weight first.
            var bound = 0.0
            for entry in layout.entries {
                if entry.role == .weight { bound = 1 / Double(entry.shape[1]).squareRoot() }
                for i in entry.range { values[i] = Float(bound * (2 * random.nextUnitDouble() - 1)) }
            }
            return values
        }
        for entry in layout.entries where entry.role == .weight {
            let fanOut = entry.shape[0], fanIn = entry.shape[1]
            switch scheme {
            case .zeros, .torch:
                break
            case .he:
                let std = (2.0 / Double(fanIn)).squareRoot()
                for i in entry.range { values[i] = Float(std * random.nextNormal()) }
            case .glorot:
                let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
                for i in entry.range { values[i] = Float(limit * (2 * random.nextUnitDouble() - 1)) }
            }
        }
        return values
    }
}
