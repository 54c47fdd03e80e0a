/// A table given column by column, stored as a 1-D dataset of compound rows.
///
/// The stored form loads with `pandas.DataFrame(h5py.File(p)[name][()])` (strings arrive as
/// bytes) and with netCDF readers, because strings are fixed-length (no variable-length fields).
public struct HDF5Table: Sendable, Equatable {
    /// One named column of equal-typed values.
    public enum Column: Sendable, Equatable {
        /// Fixed-length UTF-8 strings; the width is the longest value's bytes (at least 1).
        case strings(String, [String])
        case int64(String, [Int64])
        case float64(String, [Double])
        case float32(String, [Float])

        /// The column's name (the compound field's name).
        public var name: String {
            switch self {
            case .strings(let name, _), .int64(let name, _), .float64(let name, _), .float32(let name, _):
                return name
            }
        }

        /// Number of values (rows).
        public var count: Int {
            switch self {
            case .strings(_, let values): return values.count
            case .int64(_, let values): return values.count
            case .float64(_, let values): return values.count
            case .float32(_, let values): return values.count
            }
        }
    }

    /// The columns, in field order.
    public var columns: [Column]

    /// - Parameter columns: columns of equal length with distinct, non-empty names
    ///   (checked when the table is written).
    public init(columns: [Column]) {
        self.columns = columns
    }

    /// Number of rows: the first column's length, 0 without columns.
    public var rowCount: Int { columns.first?.count ?? 0 }

    /// The column named `name`, if any.
    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }

    /// Why the table cannot be stored, or nil when it can.
    var problem: String? {
        if columns.isEmpty { return "a table needs at least one column" }
        if let uneven = columns.first(where: { $0.count != rowCount }) {
            return "column '\(uneven.name)' has \(uneven.count) rows, column '\(columns[0].name)' has \(rowCount)"
        }
        var seen: Set<String> = []
        for column in columns {
            if column.name.isEmpty || column.name.utf8.contains(0) { return "a column name is empty or contains NUL" }
            if !seen.insert(column.name).inserted { return "column name '\(column.name)' appears twice" }
        }
        return nil
    }
}
