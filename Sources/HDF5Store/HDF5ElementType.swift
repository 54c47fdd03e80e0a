import CHDF5

/// The type of a dataset's elements as stored in the file.
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
    case signedInteger(bytes: Int)
    case unsignedInteger(bytes: Int)
    case float(bytes: Int)
    /// Fixed-length strings of `bytes` bytes each.
    case fixedString(bytes: Int)
    case variableString
    /// Rows of named fields: a table.
    case compound
    /// Anything else (enums, references, opaque, ...), named by its HDF5 class.
    case other(String)

    public var description: String {
        switch self {
        case .signedInteger(let bytes): return "int\(bytes * 8)"
        case .unsignedInteger(let bytes): return "uint\(bytes * 8)"
        case .float(let bytes): return "float\(bytes * 8)"
        case .fixedString(let bytes): return "string(\(bytes) bytes)"
        case .variableString: return "variable-length string"
        case .compound: return "compound"
        case .other(let name): return name
        }
    }

    /// Whether every value of this type has an exact representation in `target`.
    public func convertsLosslessly(to target: HDF5ElementType) -> Bool {
        switch (self, target) {
        case (.signedInteger(let bytes), .signedInteger(let targetBytes)),
             (.unsignedInteger(let bytes), .unsignedInteger(let targetBytes)),
             (.float(let bytes), .float(let targetBytes)):
            return targetBytes >= bytes
        case (.unsignedInteger(let bytes), .signedInteger(let targetBytes)):
            return targetBytes > bytes
        case (.signedInteger(let bytes), .float(let targetBytes)):
            return 8 * bytes - 1 <= HDF5ElementType.significandBits(floatBytes: targetBytes)
        case (.unsignedInteger(let bytes), .float(let targetBytes)):
            return 8 * bytes <= HDF5ElementType.significandBits(floatBytes: targetBytes)
        default:
            return self == target
        }
    }

    /// Bits of integer an IEEE float of this size holds exactly (with the implicit bit).
    private static func significandBits(floatBytes: Int) -> Int {
        switch floatBytes {
        case 2: return 11
        case 4: return 24
        case 8: return 53
        default: return 0
        }
    }

    /// Describes an HDF5 datatype.
    init(datatype: hid_t) {
        let size = H5Tget_size(datatype)
        switch H5Tget_class(datatype) {
        case H5T_INTEGER:
            self = H5Tget_sign(datatype) == H5T_SGN_NONE ? .unsignedInteger(bytes: size) : .signedInteger(bytes: size)
        case H5T_FLOAT:
            self = .float(bytes: size)
        case H5T_STRING:
            self = H5Tis_variable_str(datatype) > 0 ? .variableString : .fixedString(bytes: size)
        case H5T_COMPOUND:
            self = .compound
        case let typeClass:
            self = .other("HDF5 type class \(typeClass.rawValue)")
        }
    }

    /// The predefined native HDF5 type for the numeric types this module writes; nil otherwise.
    var nativeType: hid_t? {
        switch self {
        case .float(4): return decaybench_h5t_native_float()
        case .float(8): return decaybench_h5t_native_double()
        case .signedInteger(4): return decaybench_h5t_native_int32()
        case .signedInteger(8): return decaybench_h5t_native_int64()
        case .unsignedInteger(1): return decaybench_h5t_native_uint8()
        case .unsignedInteger(4): return decaybench_h5t_native_uint32()
        case .unsignedInteger(8): return decaybench_h5t_native_uint64()
        default: return nil
        }
    }
}
