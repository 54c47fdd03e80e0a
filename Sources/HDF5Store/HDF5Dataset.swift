import CHDF5

/// An open dataset: an N-dimensional array of one element type, read back whole.
public final class HDF5Dataset: HDF5Object, @unchecked Sendable {
    /// The dimensions, [] for a scalar.
    public var shape: [Int] {
        get throws {
            try HDF5Library.withLock {
                let operation = "read shape of dataset"
                let space = try location.check(H5Dget_space(handle.id), operation)
                defer { H5Sclose(space) }
                return try HDF5Dataspace.shape(of: space, location, operation)
            }
        }
    }

    /// The element type as stored in the file.
    public var elementType: HDF5ElementType {
        get throws {
            try HDF5Library.withLock {
                let type = try location.check(H5Dget_type(handle.id), "read element type of dataset")
                defer { H5Tclose(type) }
                return HDF5ElementType(datatype: type)
            }
        }
    }

    /// The chunk shape of a chunked dataset; nil for a contiguous or compact one.
    public var chunkShape: [Int]? {
        get throws {
            try HDF5Library.withLock {
                let operation = "read chunk shape of dataset"
                let properties = try location.check(H5Dget_create_plist(handle.id), operation)
                defer { H5Pclose(properties) }
                guard H5Pget_layout(properties) == H5D_CHUNKED else { return nil }
                var dimensions = [hsize_t](repeating: 0, count: 32)
                let rank = H5Pget_chunk(properties, Int32(dimensions.count), &dimensions)
                guard rank > 0 else { throw location.error(operation) }
                return dimensions.prefix(Int(rank)).map { Int(clamping: $0) }
            }
        }
    }

    /// Most chunks a dataset read whole may have when they average under
    /// `smallChunkElements` elements: libhdf5 keeps kilobytes of bookkeeping per chunk it
    /// reads, so a damaged or hostile file that declares millions of tiny chunks would take
    /// gigabytes (a 24 × 2,000,000 float array in chunks of 16 × 3 took 6.9 GB). Files with
    /// chunks of useful sizes (this project's are up to 1 MiB; h5py's at least 8 KiB) never
    /// come near.
    static let chunkLimit = 1_000_000, smallChunkElements = 64

    /// Reads the whole dataset as `Element`s with its shape.
    ///
    /// Converts only when every stored value is exact in `Element`: float32 reads as Double,
    /// uint8 as Float or any integer that holds it, int32 as Int64 or Double; not float64 as Float.
    /// - Throws: `HDF5Error` on an element type that would not convert losslessly.
    public func read<Element: HDF5Element>(as _: Element.Type = Element.self) throws -> (values: [Element], shape: [Int]) {
        let operation = "read \(Element.self) values of dataset"
        return try HDF5Library.withLock {
            let stored = try elementType
            guard stored.convertsLosslessly(to: Element.hdf5ElementType) else {
                throw location.error(operation, "stored elements are \(stored), which do not convert exactly to \(Element.self)")
            }
            let memoryType = try Element.nativeType(location, operation)
            let shape = try self.shape
            let count = try HDF5Dataspace.elementCount(of: shape, location, operation)
            try HDF5Dataspace.checkAllocation(count: count, elementSize: MemoryLayout<Element>.stride, location, operation)
            try checkChunkCount(shape: shape, count: count, operation)
            let values = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 {
                    try location.check(H5Dread(handle.id, memoryType, HDF5Constant.allOfDataspace,
                                               HDF5Constant.allOfDataspace, HDF5Constant.defaultProperties,
                                               buffer.baseAddress), operation)
                }
                initialized = count
            }
            return (values, shape)
        }
    }

    /// Reads the dataset as Float (from float32, or exactly representable integers such as uint8).
    public func readFloats() throws -> (values: [Float], shape: [Int]) { try read() }
    /// Reads the dataset as Double (from float32/64 or integers of up to 32 bits).
    public func readDoubles() throws -> (values: [Double], shape: [Int]) { try read() }
    /// Reads the dataset as Int32 (from integers of up to 32 bits signed, 16 unsigned).
    public func readInt32s() throws -> (values: [Int32], shape: [Int]) { try read() }
    /// Reads the dataset as Int64 (from any integer type but uint64).
    public func readInt64s() throws -> (values: [Int64], shape: [Int]) { try read() }
    /// Reads the dataset as UInt64 (from any unsigned integer type).
    public func readUInt64s() throws -> (values: [UInt64], shape: [Int]) { try read() }
    /// Reads the dataset as UInt8 (from uint8 only).
    public func readUInt8s() throws -> (values: [UInt8], shape: [Int]) { try read() }

    /// Reads a 1-D dataset of strings, fixed-length (as `writeStrings` writes) or variable-length
    /// (as h5py writes Python `str`).
    public func readStrings() throws -> [String] {
        let operation = "read strings of dataset"
        return try HDF5Library.withLock {
            let count = try length(ofOneDimensional: operation)
            let type = try location.check(H5Dget_type(handle.id), operation)
            defer { H5Tclose(type) }
            return try HDF5Strings.read(storedType: type, count: count, location, operation) { memoryType, buffer in
                H5Dread(handle.id, memoryType, HDF5Constant.allOfDataspace, HDF5Constant.allOfDataspace,
                        HDF5Constant.defaultProperties, buffer)
            }
        }
    }

    /// The length of this dataset, which must be 1-D; call under the lock.
    func length(ofOneDimensional operation: String) throws -> Int {
        let shape = try self.shape
        guard shape.count == 1 else {
            throw location.error(operation, "the dataset has shape \(shape), not one dimension")
        }
        return shape[0]
    }

    /// Writes the whole dataset from `bytes` laid out as `type`; empty `bytes` write nothing
    /// (HDF5 rejects a missing buffer even for zero elements).
    func write(_ bytes: UnsafeRawBufferPointer, type: hid_t, _ operation: String) throws {
        guard !bytes.isEmpty else { return }
        try location.check(H5Dwrite(handle.id, type, HDF5Constant.allOfDataspace, HDF5Constant.allOfDataspace,
                                    HDF5Constant.defaultProperties, bytes.baseAddress), operation)
    }

    /// Refuses a read of millions of tiny chunks (see `chunkLimit`). Called under the library's
    /// lock, which `chunkShape` takes again (it is recursive).
    private func checkChunkCount(shape: [Int], count: Int, _ operation: String) throws {
        guard let chunk = try chunkShape, chunk.count == shape.count, chunk.allSatisfy({ $0 > 0 }) else { return }
        var chunks = 1.0
        for (dimension, size) in zip(shape, chunk) { chunks *= (Double(dimension) / Double(size)).rounded(.up) }
        guard chunks > Double(Self.chunkLimit), chunks * Double(Self.smallChunkElements) > Double(count) else { return }
        throw location.error(operation, "the dataset of shape \(shape) is cut into \(Int(chunks)) chunks of \(chunk); "
                             + "reading that many would take gigabytes: the file is damaged")
    }
}
