import CHDF5

/// HDF5 constants that Swift imports with the wrong type, or not at all, as `hid_t`.
enum HDF5Constant {
    /// H5P_DEFAULT imports as Int32.
    static let defaultProperties = hid_t(H5P_DEFAULT)
    /// H5S_ALL is a cast macro, which Swift cannot import.
    static let allOfDataspace: hid_t = 0
    /// H5E_DEFAULT is a cast macro, which Swift cannot import.
    static let defaultErrorStack: hid_t = 0
}
