/// Where each named tensor lives in a model's flat parameter vector.
///
/// Models keep all parameters in one contiguous `[Float]` so that an optimizer step is a
/// single pass over memory; the layout gives that vector its names and shapes back.
public struct ParameterLayout: Hashable, Sendable {
    /// A weight matrix or a bias vector: decay and penalties apply to weights by default.
    public enum Role: String, Hashable, Sendable {
        case weight
        case bias
    }

    /// One named tensor inside the flat vector.
    public struct Entry: Hashable, Sendable {
        /// For example "layer0.weight".
        public let name: String
        /// PyTorch's layout: a dense layer's weight is [out, in], row-major.
        public let shape: [Int]
        public let role: Role
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        public var range: Range<Int> { offset..<(offset + count) }
    }

    public let entries: [Entry]
    /// Total number of scalars.
    public let count: Int

    public init(_ tensors: [(name: String, shape: [Int], role: Role)]) {
        var offset = 0
        var entries: [Entry] = []
        for tensor in tensors {
            let entry = Entry(name: tensor.name, shape: tensor.shape, role: tensor.role, offset: offset)
            entries.append(entry)
            offset += entry.count
        }
        self.entries = entries
        self.count = offset
    }

    /// The ranges of the vector that have one of the given roles, merged where adjacent.
    public func ranges(withRoles roles: Set<Role>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for entry in entries where roles.contains(entry.role) && entry.count > 0 {
            if let last = ranges.last, last.upperBound == entry.offset {
                ranges[ranges.count - 1] = last.lowerBound..<entry.range.upperBound
            } else {
                ranges.append(entry.range)
            }
        }
        return ranges
    }
}
