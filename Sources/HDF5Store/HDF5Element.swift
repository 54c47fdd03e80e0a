/// A Swift number type that datasets can be written from and read into.
///
/// `Float`, `Double`, `Int32`, `Int64` and `UInt8` conform (and `UInt32`, `UInt64`); writing or reading
/// a type whose `hdf5ElementType` has no native HDF5 counterpart throws.
public protocol HDF5Element: Sendable {
    /// How values of this type are stored.
    static var hdf5ElementType: HDF5ElementType { get }
}

extension Float: HDF5Element {
    public static var hdf5ElementType: HDF5ElementType { .float(bytes: 4) }
}

extension Double: HDF5Element {
    public static var hdf5ElementType: HDF5ElementType { .float(bytes: 8) }
}

extension Int32: HDF5Element {
    public static var hdf5ElementType: HDF5ElementType { .signedInteger(bytes: 4) }
}

extension Int64: HDF5Element {
    public static var hdf5ElementType: HDF5ElementType { .signedInteger(bytes: 8) }
}

extension UInt8: HDF5Element {
    public static var hdf5ElementType: HDF5ElementType { .unsignedInteger(bytes: 1) }
}

extension UInt32: HDF5Element {
    public static var hdf5ElementType: HDF5ElementType { .unsignedInteger(bytes: 4) }
}

extension UInt64: HDF5Element {
    public static var hdf5ElementType: HDF5ElementType { .unsignedInteger(bytes: 8) }
}
