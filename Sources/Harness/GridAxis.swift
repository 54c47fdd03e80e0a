/// One dimension of a grid's result arrays: an axis name and its labels in index order.
public struct GridAxis: Hashable, Sendable {
    /// The axis name as runs' coordinates use it (`optimizer`, `lambda`, `schedule`, `seed`, …).
    public let name: String
    /// Every label any run has on this axis, in index order: numeric axes ascending (empty
    /// optionals such as `full` last), the others in order of first appearance.
    public let labels: [String]

    public init(name: String, labels: [String]) {
        self.name = name
        self.labels = labels
    }
}
