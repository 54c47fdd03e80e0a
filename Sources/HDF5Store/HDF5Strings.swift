import CHDF5

/// Fixed-length UTF-8 strings, the form netCDF readers, h5py and pandas all accept, and the
/// reading of variable-length strings that other writers (h5py) produce.
enum HDF5Strings {
    /// The fixed width that holds every value: the longest UTF-8 length, at least 1 byte
    /// (HDF5 has no zero-size string type).
    static func width(of strings: [String]) -> Int {
        max(1, strings.map(\.utf8.count).max() ?? 0)
    }

    /// Throws for a value containing NUL: it would read back cut short.
    static func checkStorable(_ strings: [String], _ location: HDF5Location, _ operation: String) throws {
        if let bad = strings.first(where: { $0.utf8.contains(0) }) {
            throw location.error(operation, "string \(bad.debugDescription) contains a NUL character")
        }
    }

    /// A fixed-length string type of `width` bytes, by default NUL-padded UTF-8 (padded as h5py
    /// writes numpy bytes). The caller closes it.
    static func fixedType(width: Int, padding: H5T_str_t = H5T_STR_NULLPAD, characterSet: H5T_cset_t = H5T_CSET_UTF8,
                          _ location: HDF5Location, _ operation: String) throws -> hid_t {
        try location.configured(H5Tcopy(decaybench_h5t_c_s1()), operation, close: { H5Tclose($0) }) { type in
            try location.check(H5Tset_size(type, width), operation)
            try location.check(H5Tset_strpad(type, padding), operation)
            try location.check(H5Tset_cset(type, characterSet), operation)
        }
    }

    /// Writes `string` NUL-padded into `width` bytes at `destination`.
    static func encode(_ string: String, width: Int, into destination: UnsafeMutableRawBufferPointer) {
        let bytes = Array(string.utf8.prefix(width))
        destination.copyBytes(from: bytes)
        for index in bytes.count..<width { destination[index] = 0 }
    }

    /// Decodes one fixed-length value: up to the first NUL.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Reads `count` strings stored as `storedType` (fixed or variable length).
    /// - Parameter read: reads everything into the buffer, converting to the memory type given.
    static func read(storedType: hid_t, count: Int, _ location: HDF5Location, _ operation: String,
                     read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        guard H5Tget_class(storedType) == H5T_STRING else {
            throw location.error(operation, "stored elements are \(HDF5ElementType(datatype: storedType)), not strings")
        }
        guard count > 0 else { return [] }
        if H5Tis_variable_str(storedType) > 0 {
            try HDF5Dataspace.checkAllocation(count: count, elementSize: MemoryLayout<UnsafeMutablePointer<CChar>?>.stride,
                                              location, operation)
            return try readVariable(count: count, location, operation, read: read)
        }
        let width = H5Tget_size(storedType)
        try HDF5Dataspace.checkAllocation(count: count, elementSize: width, location, operation)
        var buffer = [UInt8](repeating: 0, count: width * count)
        try buffer.withUnsafeMutableBytes { raw in
            // Reading with the stored type itself: no conversion, the bytes as written.
            try location.check(read(storedType, raw.baseAddress!), operation)
        }
        return buffer.withUnsafeBytes { raw in
            (0..<count).map { decode(UnsafeRawBufferPointer(rebasing: raw[$0 * width..<($0 + 1) * width])) }
        }
    }

    private static func readVariable(count: Int, _ location: HDF5Location, _ operation: String,
                                     read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        let memoryType = try location.configured(H5Tcopy(decaybench_h5t_c_s1()), operation,
                                                 close: { H5Tclose($0) }) { type in
            try location.check(H5Tset_size(type, decaybench_h5t_variable()), operation)
            try location.check(H5Tset_cset(type, H5T_CSET_UTF8), operation)
        }
        defer { H5Tclose(memoryType) }
        let space = try HDF5Dataspace.create(shape: [count], location, operation)
        defer { H5Sclose(space) }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        return try pointers.withUnsafeMutableBytes { raw in
            try location.check(read(memoryType, raw.baseAddress!), operation)
            // HDF5 allocated each string; hand them back whatever happens next.
            defer { H5Dvlen_reclaim(memoryType, space, HDF5Constant.defaultProperties, raw.baseAddress!) }
            return raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self).map { $0.map { String(cString: $0) } ?? "" }
        }
    }
}
