import CHDF5

extension HDF5Group {
    /// Writes a new dataset of `shape` holding `values` in row-major (C) order.
    /// - Parameters:
    ///   - name: the dataset's name or path; missing intermediate groups are created.
    ///   - values: exactly `shape.reduce(1, *)` values; an empty `shape` writes a scalar.
    ///   - shape: dimensions, each ≥ 0 (0-length dimensions are allowed).
    ///   - storage: `.contiguous` (default) or chunked with filters, e.g. `.compressed()`.
    /// - Throws: `HDF5Error` when the count does not match the shape, the name exists, or HDF5 fails.
    @discardableResult
    public func writeDataset<Element: HDF5Element>(_ name: String, _ values: [Element], shape: [Int],
                                                   storage: HDF5StorageOptions = .contiguous) throws -> HDF5Dataset {
        let operation = "write dataset"
        return try HDF5Library.withLock {
            let child = location.child(name)
            let count = try HDF5Dataspace.elementCount(of: shape, child, operation)
            guard values.count == count else {
                throw child.error(operation, "\(values.count) values do not fill shape \(shape) (\(count) elements)")
            }
            let type = try Element.nativeType(child, operation)
            let dataset = try createDataset(name, type: type, shape: shape, storage: storage, operation)
            try values.withUnsafeBytes { try dataset.write($0, type: type, operation) }
            return dataset
        }
    }

    /// Creates a new dataset of `shape` without writing its values: with chunked storage (the
    /// default) HDF5 allocates nothing until chunks are written, so the declared shape costs
    /// only its header, and reading returns zeros where nothing was written.
    /// - Throws: `HDF5Error` when the shape is invalid, the name exists, or HDF5 fails.
    @discardableResult
    public func declareDataset<Element: HDF5Element>(_ name: String, of _: Element.Type, shape: [Int],
                                                     storage: HDF5StorageOptions = .compressed()) throws -> HDF5Dataset {
        let operation = "declare dataset"
        return try HDF5Library.withLock {
            let child = location.child(name)
            _ = try HDF5Dataspace.elementCount(of: shape, child, operation)
            return try createDataset(name, type: try Element.nativeType(child, operation), shape: shape, storage: storage, operation)
        }
    }

    /// Writes a new 1-D dataset of fixed-length UTF-8 strings (width: the longest value's bytes,
    /// at least 1), the form netCDF readers accept; for coordinate labels.
    ///
    /// The dataset carries the netCDF attribute `_Encoding = "utf-8"`, without which xarray
    /// shows the labels as bytes rather than text.
    /// - Throws: `HDF5Error` when a value contains NUL, the name exists, or HDF5 fails.
    @discardableResult
    public func writeStrings(_ name: String, _ values: [String],
                             storage: HDF5StorageOptions = .contiguous) throws -> HDF5Dataset {
        let operation = "write string dataset"
        return try HDF5Library.withLock {
            let child = location.child(name)
            try HDF5Strings.checkStorable(values, child, operation)
            let width = HDF5Strings.width(of: values)
            let type = try HDF5Strings.fixedType(width: width, child, operation)
            defer { H5Tclose(type) }
            var buffer = [UInt8](repeating: 0, count: width * values.count)
            buffer.withUnsafeMutableBytes { raw in
                for (index, value) in values.enumerated() {
                    HDF5Strings.encode(value, width: width,
                                       into: UnsafeMutableRawBufferPointer(rebasing: raw[index * width..<(index + 1) * width]))
                }
            }
            let dataset = try createDataset(name, type: type, shape: [values.count], storage: storage, operation)
            try buffer.withUnsafeBytes { try dataset.write($0, type: type, operation) }
            try dataset.setAttribute("_Encoding", .string("utf-8"))
            return dataset
        }
    }

    /// Creates an empty dataset `name` of `type` and `shape`; call under the lock.
    func createDataset(_ name: String, type: hid_t, shape: [Int], storage: HDF5StorageOptions,
                       _ operation: String) throws -> HDF5Dataset {
        try member(name, operation, close: { H5Dclose($0) }) { child in
            let space = try HDF5Dataspace.create(shape: shape, child, operation)
            defer { H5Sclose(space) }
            let creation = try storage.creationProperties(shape: shape, elementSize: H5Tget_size(type), child, operation)
            defer { H5Pclose(creation) }
            let links = try HDF5Group.linkCreationProperties(child)
            defer { H5Pclose(links) }
            return H5Dcreate2(handle.id, name, type, space, links, creation, HDF5Constant.defaultProperties)
        }
    }
}

extension HDF5Element {
    /// The native HDF5 type of `Self`, or a thrown error for a conformance this module cannot store.
    static func nativeType(_ location: HDF5Location, _ operation: String) throws -> hid_t {
        guard let type = hdf5ElementType.nativeType, H5Tget_size(type) == MemoryLayout<Self>.stride else {
            throw location.error(operation, "\(Self.self) (\(hdf5ElementType)) has no native HDF5 type here")
        }
        return type
    }
}
