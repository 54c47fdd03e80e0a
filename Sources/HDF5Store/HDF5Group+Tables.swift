import CHDF5

extension HDF5Group {
    /// Writes `table` as a new 1-D dataset of compound rows, one field per column in order.
    /// - Parameters:
    ///   - name: the dataset's name or path.
    ///   - storage: chunked and compressed by default.
    /// - Throws: `HDF5Error` when columns differ in length, names repeat, a string contains NUL,
    ///   the name exists, or HDF5 fails.
    @discardableResult
    public func writeTable(_ name: String, _ table: HDF5Table,
                           storage: HDF5StorageOptions = .compressed()) throws -> HDF5Dataset {
        let operation = "write table"
        return try HDF5Library.withLock {
            let child = location.child(name)
            if let problem = table.problem { throw child.error(operation, problem) }
            for case .strings(_, let values) in table.columns {
                try HDF5Strings.checkStorable(values, child, operation)
            }
            let layout = HDF5TableLayout(writing: table)
            let type = try layout.makeType(child, operation)
            defer { H5Tclose(type) }
            let dataset = try createDataset(name, type: type, shape: [table.rowCount], storage: storage, operation)
            try layout.encode(table).withUnsafeBytes { try dataset.write($0, type: type, operation) }
            return dataset
        }
    }
}
