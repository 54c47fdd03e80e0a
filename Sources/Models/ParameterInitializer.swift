import TensorMath

/// Seeded initial parameters for an `Architecture`.
public enum ParameterInitializer {
    /// A fresh parameter vector: weights by `scheme`, biases zero.
    ///
    /// Draws from one stream in layer order, so the result is a pure function of the
    /// architecture, the scheme and the generator's seed.
    public static func parameters(
        for architecture: Architecture, scheme: ModelSpec.Initialization, random: inout DeterministicRandom
    ) -> [Float] {
        let layout = architecture.parameterLayout
        var values = [Float](repeating: 0, count: layout.count)
        for entry in layout.entries where entry.role == .weight {
            let fanOut = entry.shape[0], fanIn = entry.shape[1]
            switch scheme {
            case .zeros:
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
