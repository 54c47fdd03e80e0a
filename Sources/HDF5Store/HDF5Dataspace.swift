import CHDF5

/// Dataspaces (the shape of a dataset or attribute) to and from Swift shapes.
enum HDF5Dataspace {
    /// Creates a dataspace of `shape`; an empty shape is a scalar. The caller closes it.
    static func create(shape: [Int], _ location: HDF5Location, _ operation: String) throws -> hid_t {
        if shape.isEmpty {
            return try location.check(H5Screate(H5S_SCALAR), operation)
        }
        let dimensions = shape.map { hsize_t($0) }
        return try location.check(H5Screate_simple(Int32(dimensions.count), dimensions, nil), operation)
    }

    /// The shape of dataspace `space`: [] for a scalar; an empty (null) dataspace throws.
    static func shape(of space: hid_t, _ location: HDF5Location, _ operation: String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw location.error(operation) }
        guard H5Sget_simple_extent_type(space) != H5S_NULL else {
            throw location.error(operation, "the dataspace is null (holds no value at all)")
        }
        var dimensions = [hsize_t](repeating: 0, count: Int(rank))
        try location.check(H5Sget_simple_extent_dims(space, &dimensions, nil), operation)
        // A damaged file can declare any 64-bit size; one beyond Int is an error, not a trap.
        let shape = dimensions.compactMap { Int(exactly: $0) }
        guard shape.count == dimensions.count else {
            throw location.error(operation, "the dataspace declares a dimension of \(dimensions.max() ?? 0), beyond any array")
        }
        return shape
    }

    /// Validates a shape given by a caller and returns its element count.
    static func elementCount(of shape: [Int], _ location: HDF5Location, _ operation: String) throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw location.error(operation, "shape \(shape) has a negative dimension")
        }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw location.error(operation, "shape \(shape) is too large") }
            count = product
        }
        return count
    }

    /// Refuses to allocate `count` elements of `elementSize` bytes beyond what this process can
    /// ever hold: a damaged file can declare any size, and an allocation that fails ends the process.
    static func checkAllocation(count: Int, elementSize: Int, _ location: HDF5Location, _ operation: String) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        let memory = ProcessMemory.ceiling
        guard overflow || bytes > memory else { return }
        throw location.error(operation, "the dataset declares \(count) elements of \(elementSize) bytes, "
                             + "more than this machine's \(memory / (1 << 20)) MB of memory: the file is damaged")
    }
}
