import CHDF5

extension HDF5Dataset {
    /// Reads a 1-D dataset of compound rows back into columns: integer fields as `.int64`,
    /// float32 as `.float32`, float64 as `.float64`, fixed-length strings as `.strings`.
    /// - Throws: `HDF5Error` when the dataset is not such a table.
    public func readTable() throws -> HDF5Table {
        let operation = "read table"
        return try HDF5Library.withLock {
            let rowCount = try length(ofOneDimensional: operation)
            let storedType = try location.check(H5Dget_type(handle.id), operation)
            defer { H5Tclose(storedType) }
            let layout = try HDF5TableLayout(reading: storedType, location, operation)
            let memoryType = try layout.makeType(location, operation)
            defer { H5Tclose(memoryType) }
            try HDF5Dataspace.checkAllocation(count: rowCount, elementSize: layout.rowSize, location, operation)
            var bytes = [UInt8](repeating: 0, count: layout.rowSize * rowCount)
            if !bytes.isEmpty {
                // HDF5 matches fields by name and converts each to the layout's type.
                try location.check(H5Dread(handle.id, memoryType, HDF5Constant.allOfDataspace,
                                           HDF5Constant.allOfDataspace, HDF5Constant.defaultProperties, &bytes),
                                   operation)
            }
            return bytes.withUnsafeBytes { layout.decode($0, rowCount: rowCount) }
        }
    }
}
