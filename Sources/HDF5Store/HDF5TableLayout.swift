import CHDF5

/// The packed byte layout of one table row, the matching HDF5 compound type, and the
/// conversion between column-wise `HDF5Table`s and row-wise bytes.
struct HDF5TableLayout {
    enum Field {
        /// Fixed-length string; padding and character set as stored, so reading needs no conversion
        /// (HDF5 will not convert between ASCII and UTF-8 strings).
        case string(width: Int, padding: H5T_str_t, characterSet: H5T_cset_t)
        case int64
        case float64
        case float32

        var size: Int {
            switch self {
            case .string(let width, _, _): return width
            case .int64, .float64: return 8
            case .float32: return 4
            }
        }
    }

    let names: [String]
    let fields: [Field]
    let offsets: [Int]
    let rowSize: Int

    init(names: [String], fields: [Field]) {
        self.names = names
        self.fields = fields
        var offsets: [Int] = []
        var offset = 0
        for field in fields {
            offsets.append(offset)
            offset += field.size
        }
        self.offsets = offsets
        self.rowSize = offset
    }

    /// The layout that writes `table`: NUL-padded UTF-8 strings as wide as the longest value.
    init(writing table: HDF5Table) {
        self.init(names: table.columns.map(\.name), fields: table.columns.map { column in
            switch column {
            case .strings(_, let values):
                return .string(width: HDF5Strings.width(of: values), padding: H5T_STR_NULLPAD, characterSet: H5T_CSET_UTF8)
            case .int64: return .int64
            case .float64: return .float64
            case .float32: return .float32
            }
        })
    }

    /// The layout that reads a stored compound type: integers widen to Int64, floats to Float
    /// or Double, fixed-length strings as they are; anything else throws.
    init(reading storedType: hid_t, _ location: HDF5Location, _ operation: String) throws {
        guard H5Tget_class(storedType) == H5T_COMPOUND else {
            throw location.error(operation, "stored elements are \(HDF5ElementType(datatype: storedType)), not table rows")
        }
        let memberCount = H5Tget_nmembers(storedType)
        guard memberCount >= 0 else { throw location.error(operation) }
        var names: [String] = []
        var fields: [Field] = []
        for index in 0..<UInt32(memberCount) {
            guard let cName = H5Tget_member_name(storedType, index) else { throw location.error(operation) }
            let name = String(cString: cName)
            H5free_memory(cName)
            let memberType = try location.check(H5Tget_member_type(storedType, index), operation)
            defer { H5Tclose(memberType) }
            let stored = HDF5ElementType(datatype: memberType)
            switch stored {
            case .fixedString(let width):
                fields.append(.string(width: width, padding: H5Tget_strpad(memberType),
                                      characterSet: H5Tget_cset(memberType)))
            case .float where stored.convertsLosslessly(to: Float.hdf5ElementType):
                fields.append(.float32)
            case .float where stored.convertsLosslessly(to: Double.hdf5ElementType):
                fields.append(.float64)
            case _ where stored.convertsLosslessly(to: Int64.hdf5ElementType):
                fields.append(.int64)
            default:
                throw location.error(operation, "column '\(name)' holds \(stored), which is not read")
            }
            names.append(name)
        }
        self.init(names: names, fields: fields)
    }

    /// The compound type of this layout; the caller closes it.
    func makeType(_ location: HDF5Location, _ operation: String) throws -> hid_t {
        try location.configured(H5Tcreate(H5T_COMPOUND, rowSize), operation, close: { H5Tclose($0) }) { type in
            for (index, field) in fields.enumerated() {
                let member: hid_t
                var closeMember = false
                switch field {
                case .string(let width, let padding, let characterSet):
                    member = try HDF5Strings.fixedType(width: width, padding: padding, characterSet: characterSet,
                                                       location, operation)
                    closeMember = true
                case .int64: member = decaybench_h5t_native_int64()
                case .float64: member = decaybench_h5t_native_double()
                case .float32: member = decaybench_h5t_native_float()
                }
                // H5Tinsert copies the member type.
                defer { if closeMember { H5Tclose(member) } }
                try location.check(H5Tinsert(type, names[index], offsets[index], member), operation)
            }
        }
    }

    /// The table's rows as packed bytes.
    func encode(_ table: HDF5Table) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: rowSize * table.rowCount)
        bytes.withUnsafeMutableBytes { raw in
            for (column, (field, offset)) in zip(table.columns, zip(fields, offsets)) {
                for row in 0..<table.rowCount {
                    let at = row * rowSize + offset
                    switch column {
                    case .strings(_, let values):
                        HDF5Strings.encode(values[row], width: field.size,
                                           into: UnsafeMutableRawBufferPointer(rebasing: raw[at..<at + field.size]))
                    case .int64(_, let values): raw.storeBytes(of: values[row], toByteOffset: at, as: Int64.self)
                    case .float64(_, let values): raw.storeBytes(of: values[row], toByteOffset: at, as: Double.self)
                    case .float32(_, let values): raw.storeBytes(of: values[row], toByteOffset: at, as: Float.self)
                    }
                }
            }
        }
        return bytes
    }

    /// The table held by `rowCount` packed rows.
    func decode(_ raw: UnsafeRawBufferPointer, rowCount: Int) -> HDF5Table {
        let rows = 0..<rowCount
        return HDF5Table(columns: zip(names, zip(fields, offsets)).map { name, fieldAndOffset in
            let (field, offset) = fieldAndOffset
            switch field {
            case .string(let width, _, _):
                return .strings(name, rows.map { row in
                    let at = row * rowSize + offset
                    return HDF5Strings.decode(UnsafeRawBufferPointer(rebasing: raw[at..<at + width]))
                })
            case .int64:
                return .int64(name, rows.map { raw.loadUnaligned(fromByteOffset: $0 * rowSize + offset, as: Int64.self) })
            case .float64:
                return .float64(name, rows.map { raw.loadUnaligned(fromByteOffset: $0 * rowSize + offset, as: Double.self) })
            case .float32:
                return .float32(name, rows.map { raw.loadUnaligned(fromByteOffset: $0 * rowSize + offset, as: Float.self) })
            }
        })
    }
}
