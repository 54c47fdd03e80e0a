/// The value of an attribute: the kinds this module writes and reads back.
///
/// Strings are stored as fixed-length UTF-8 scalars (netCDF and pandas readers take them);
/// numbers as native float64/int64 scalars or 1-D arrays.
public enum HDF5AttributeValue: Sendable, Equatable {
    case string(String)
    case double(Double)
    case int64(Int64)
    case doubles([Double])
    case int64s([Int64])

    /// The kind, for messages: "String", "Double", ...
    var kindName: String {
        switch self {
        case .string: return "String"
        case .double: return "Double"
        case .int64: return "Int64"
        case .doubles: return "[Double]"
        case .int64s: return "[Int64]"
        }
    }
}
