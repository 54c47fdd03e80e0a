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
    /// Axis name → label, for every axis of the grid (`"lambda"` → `"0.001"`, `"seed"` → `"2"`).
    public let coordinates: [String: String]
    /// A stable 16-hex-digit identity: the hash of the configuration's canonical JSON.
    public var key: String { configuration.key }

    public init(index: Int, block: Int, configuration: RunConfiguration, coordinates: [String: String]) {
        self.index = index
        self.block = block
        self.configuration = configuration
        self.coordinates = coordinates
    }
}
