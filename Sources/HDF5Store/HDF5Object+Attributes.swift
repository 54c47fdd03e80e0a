import CHDF5

extension HDF5Object {
    /// Sets attribute `name`, replacing any attribute of that name (whatever its type).
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue) throws {
        let operation = "write attribute '\(name)' of"
        try HDF5Library.withLock {
            try location.checkName(name, operation)
            if try location.check(truth: H5Aexists(handle.id, name), operation) {
                try location.check(H5Adelete(handle.id, name), operation)
            }
            switch value {
            case .string(let string):
                try HDF5Strings.checkStorable([string], location, operation)
                let width = HDF5Strings.width(of: [string])
                let type = try HDF5Strings.fixedType(width: width, location, operation)
                defer { H5Tclose(type) }
                var bytes = [UInt8](repeating: 0, count: width)
                bytes.withUnsafeMutableBytes { HDF5Strings.encode(string, width: width, into: $0) }
                try bytes.withUnsafeBytes { try createAttribute(name, type: type, shape: [], bytes: $0, operation) }
            case .double(let number):
                try [number].withUnsafeBytes {
                    try createAttribute(name, type: decaybench_h5t_native_double(), shape: [], bytes: $0, operation)
                }
            case .int64(let number):
                try [number].withUnsafeBytes {
                    try createAttribute(name, type: decaybench_h5t_native_int64(), shape: [], bytes: $0, operation)
                }
            case .doubles(let numbers):
                try numbers.withUnsafeBytes {
                    try createAttribute(name, type: decaybench_h5t_native_double(), shape: [numbers.count],
                                        bytes: $0, operation)
                }
            case .int64s(let numbers):
                try numbers.withUnsafeBytes {
                    try createAttribute(name, type: decaybench_h5t_native_int64(), shape: [numbers.count],
                                        bytes: $0, operation)
                }
            }
        }
    }

    /// Reads attribute `name`: strings (fixed or variable length) as `.string`, floats as
    /// `.double(s)`, integers as `.int64(s)`; scalars as the single cases, 1-D arrays as the plural.
    /// - Throws: `HDF5Error` when it is missing or of another kind (such as a string array).
    public func attribute(_ name: String) throws -> HDF5AttributeValue {
        let operation = "read attribute '\(name)' of"
        return try HDF5Library.withLock {
            try location.checkName(name, operation)
            let attribute = try location.check(H5Aopen(handle.id, name, HDF5Constant.defaultProperties), operation)
            defer { H5Aclose(attribute) }
            let type = try location.check(H5Aget_type(attribute), operation)
            defer { H5Tclose(type) }
            let space = try location.check(H5Aget_space(attribute), operation)
            defer { H5Sclose(space) }
            let shape = try HDF5Dataspace.shape(of: space, location, operation)
            guard shape.count <= 1 else {
                throw location.error(operation, "it has shape \(shape); only scalars and 1-D arrays are read")
            }
            let count = shape.first ?? 1
            let stored = HDF5ElementType(datatype: type)
            switch stored {
            case .fixedString, .variableString:
                guard shape.isEmpty else {
                    throw location.error(operation, "it is an array of strings; only a single string is read")
                }
                let strings = try HDF5Strings.read(storedType: type, count: 1, location, operation) {
                    H5Aread(attribute, $0, $1)
                }
                return .string(strings[0])
            case .float where stored.convertsLosslessly(to: Double.hdf5ElementType):
                let numbers: [Double] = try readAttribute(attribute, count: count, operation)
                return shape.isEmpty ? .double(numbers[0]) : .doubles(numbers)
            case _ where stored.convertsLosslessly(to: Int64.hdf5ElementType):
                let numbers: [Int64] = try readAttribute(attribute, count: count, operation)
                return shape.isEmpty ? .int64(numbers[0]) : .int64s(numbers)
            default:
                throw location.error(operation, "it holds \(stored) with shape \(shape), which is not read")
            }
        }
    }

    /// Reads a String attribute. - Throws: `HDF5Error` when missing or of another kind.
    public func stringAttribute(_ name: String) throws -> String {
        try typedAttribute(name, "String") { if case .string(let value) = $0 { value } else { nil } }
    }

    /// Reads a Double attribute. - Throws: `HDF5Error` when missing or of another kind.
    public func doubleAttribute(_ name: String) throws -> Double {
        try typedAttribute(name, "Double") { if case .double(let value) = $0 { value } else { nil } }
    }

    /// Reads an Int64 attribute. - Throws: `HDF5Error` when missing or of another kind.
    public func int64Attribute(_ name: String) throws -> Int64 {
        try typedAttribute(name, "Int64") { if case .int64(let value) = $0 { value } else { nil } }
    }

    /// Reads a [Double] attribute. - Throws: `HDF5Error` when missing or of another kind.
    public func doublesAttribute(_ name: String) throws -> [Double] {
        try typedAttribute(name, "[Double]") { if case .doubles(let value) = $0 { value } else { nil } }
    }

    /// Reads an [Int64] attribute. - Throws: `HDF5Error` when missing or of another kind.
    public func int64sAttribute(_ name: String) throws -> [Int64] {
        try typedAttribute(name, "[Int64]") { if case .int64s(let value) = $0 { value } else { nil } }
    }

    /// Whether the object has attribute `name`.
    public func hasAttribute(_ name: String) throws -> Bool {
        try HDF5Library.withLock {
            try location.checkName(name, "look up attribute of")
            return try location.check(truth: H5Aexists(handle.id, name), "look up attribute '\(name)' of")
        }
    }

    /// The names of the object's attributes, in name order.
    public func attributeNames() throws -> [String] {
        try location.collectNames("list attributes of") { index, names in
            H5Aiterate2(handle.id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, names in
                HDF5Location.append(name, to: names)
            }, names)
        }
    }

    private func typedAttribute<Value>(_ name: String, _ kind: String,
                                       _ extract: (HDF5AttributeValue) -> Value?) throws -> Value {
        let value = try attribute(name)
        guard let typed = extract(value) else {
            throw location.error("read attribute '\(name)' as \(kind) of", "it holds \(value.kindName)")
        }
        return typed
    }

    /// Creates attribute `name` and writes `bytes`; call under the lock.
    private func createAttribute(_ name: String, type: hid_t, shape: [Int], bytes: UnsafeRawBufferPointer,
                                 _ operation: String) throws {
        let space = try HDF5Dataspace.create(shape: shape, location, operation)
        defer { H5Sclose(space) }
        let attribute = try location.check(H5Acreate2(handle.id, name, type, space, HDF5Constant.defaultProperties,
                                                      HDF5Constant.defaultProperties), operation)
        defer { H5Aclose(attribute) }
        // H5Awrite wants a buffer even for an empty array.
        let status = bytes.baseAddress.map { H5Awrite(attribute, type, $0) }
            ?? withUnsafeBytes(of: UInt8(0)) { H5Awrite(attribute, type, $0.baseAddress) }
        try location.check(status, operation)
    }

    /// Reads `count` numbers of attribute `attribute`, converted by HDF5; call under the lock.
    private func readAttribute<Element: HDF5Element>(_ attribute: hid_t, count: Int,
                                                     _ operation: String) throws -> [Element] {
        let type = try Element.nativeType(location, operation)
        return try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { try location.check(H5Aread(attribute, type, buffer.baseAddress), operation) }
            initialized = count
        }
    }
}
