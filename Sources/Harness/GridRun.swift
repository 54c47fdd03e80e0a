import Foundation
import TensorMath
import Training

/// One run of a grid: its complete configuration and where it sits in the grid.
public struct GridRun: Hashable, Sendable {
    /// Position in the expansion order (blocks in file order, then axes, seeds innermost).
    public let index: Int
    /// The 0-based block the run comes from.
    public let block: Int
    public let configuration: RunConfiguration
    /// The base learning rate α (the `lr` axis).
    ///
    /// Carried here because `RunConfiguration` has no field for it yet; `key` includes it.
    public let learningRate: Double
    /// Axis name → label, for every axis of the grid (`"lambda"` → `"0.001"`, `"seed"` → `"2"`).
    public let coordinates: [String: String]
    /// A stable 16-hex-digit identity: the hash of the configuration's canonical JSON and α.
    public let key: String

    public init(index: Int, block: Int, configuration: RunConfiguration, learningRate: Double,
                coordinates: [String: String]) {
        self.index = index
        self.block = block
        self.configuration = configuration
        self.learningRate = learningRate
        self.coordinates = coordinates
        self.key = GridRun.key(configuration: configuration, learningRate: learningRate)
    }

    /// The key of a configuration run with base learning rate α.
    public static func key(configuration: RunConfiguration, learningRate: Double) -> String {
        let text = "{\"configuration\":\(configuration.canonicalJSON),\"learningRate\":\(GridValue.format(learningRate))}"
        let hex = String(StableHash.fnv1a64(text), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
