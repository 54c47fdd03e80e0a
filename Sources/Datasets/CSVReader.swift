import Foundation

/// Reads numeric CSV files: one point per line, comma-separated numbers, one of them the target.
///
/// Blank lines are skipped; a number may be wrapped in double quotes and surrounded by
/// spaces; lines may end in `\n`, `\r\n` or (in a file without `\n`) `\r` alone. Quoted fields
/// cannot contain commas: the file is numeric. A gzip-compressed file, whatever its name, is
/// read decompressed, as pandas reads `data.csv.gz`.
/// Every row must have as many fields as the header (or, without a header, the first row).
public enum CSVReader {
    /// Reads `path`.
    /// - Parameters:
    ///   - targetColumn: 0-based index of the target; negative counts from the end (-1: last).
    ///   - header: whether the first non-blank line names the columns (it is not parsed).
    ///   - task: classification targets must be non-negative integers; regression targets any
    ///     finite number.
    /// - Throws: `DataError.malformedCSV` naming the file, line (from 1, counting every
    ///   line), column (from 1) and the text found; `DataError.invalidSpec` when
    ///   `targetColumn` is outside the file's columns.
    public static func read(path: String, targetColumn: Int, header: Bool, task: TaskKind) throws -> FileTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError.unreadable(path: path, reason: "no such file")
        }
        guard var data = FileManager.default.contents(atPath: path) else {
            throw DataError.unreadable(path: path, reason: "the file cannot be read")
        }
        if data.starts(with: [0x1F, 0x8B]) { data = try decompressed(path: path) }
        return try parse(data, path: path, targetColumn: targetColumn, header: header, task: task)
    }

    /// The text of a gzip-compressed CSV file, no larger than half the memory available now
    /// (its numbers take about as much again): a small file can inflate a thousandfold.
    private static func decompressed(path: String) throws -> Data {
        let limit = DataLimits.availableMemory / 2
        var text = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 22)
        do {
            let file = try GzipReader(path: path)
            while true {
                let count = try chunk.withUnsafeMutableBytes { try file.read(into: $0) }
                text.append(contentsOf: chunk[..<count])
                guard text.count <= limit else {
                    throw DataError.tooLarge(what: "the decompressed text of \(path)", found: "more than \(DataLimits.describe(bytes: limit))",
                                             limit: "half the \(DataLimits.describe(bytes: limit * 2)) of memory available now")
                }
                if count < chunk.count { return text }
            }
        } catch DataError.malformedIDX(_, _, let found) {
            throw DataError.malformedCSV(path: path, line: nil, column: nil, expected: "a readable gzip file (it starts like one)", found: found)
        }
    }

    static func parse(_ data: Data, path: String, targetColumn: Int, header: Bool, task: TaskKind) throws -> FileTable {
        var parser = Parser(path: path, targetColumn: targetColumn, hasHeader: header, task: task)
        var lineNumber = 0
        // Lines ending in CR alone (old Mac spreadsheets): no LF anywhere, but CRs.
        let lineEnd = !data.contains(UInt8(ascii: "\n")) && data.contains(UInt8(ascii: "\r")) ? UInt8(ascii: "\r") : UInt8(ascii: "\n")
        for rawLine in data.split(separator: lineEnd, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(decoding: rawLine, as: UTF8.self)
            if lineNumber == 1, line.first == "\u{FEFF}" { line = line.dropFirst() }
            if line.last == "\r" { line = line.dropLast() }
            try parser.consume(line, number: lineNumber)
        }
        return try parser.finish(lineCount: lineNumber)
    }

    /// The state of one pass over a file.
    private struct Parser {
        let path: String
        let targetColumn: Int
        let hasHeader: Bool
        let task: TaskKind
        /// Columns per row and the resolved target index, known after the first non-blank line.
        var columns: Int?
        var target = 0
        var features: [Float] = []
        var labels: [Int32] = []
        var values: [Float] = []
        var firstDataLine: Int?

        init(path: String, targetColumn: Int, hasHeader: Bool, task: TaskKind) {
            self.path = path
            self.targetColumn = targetColumn
            self.hasHeader = hasHeader
            self.task = task
        }

        mutating func consume(_ line: Substring, number: Int) throws {
            guard line.contains(where: { !$0.isWhitespace }) else { return }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard let columns else {
                try setColumns(fields.count, line: number)
                if hasHeader { return }
                return try consumeRow(fields, number: number)
            }
            guard fields.count == columns else {
                throw DataError.malformedCSV(
                    path: path, line: number, column: min(fields.count, columns) + 1,
                    expected: "\(columns) fields like \(hasHeader ? "the header" : "the first row")",
                    found: "\(fields.count) fields")
            }
            try consumeRow(fields, number: number)
        }

        private mutating func setColumns(_ count: Int, line: Int) throws {
            guard count >= 2 else {
                throw DataError.malformedCSV(path: path, line: line, column: nil,
                                             expected: "at least 2 columns (features and a target)", found: "\(count)")
            }
            // Checked on the first line, before any row is read: as for HDF5 files.
            guard count - 1 <= DataLimits.features else {
                throw DataError.malformedCSV(path: path, line: line, column: nil,
                                             expected: "at most \(DataLimits.features) features (columns besides the target)",
                                             found: "\(count - 1)")
            }
            let resolved = targetColumn < 0 ? count + targetColumn : targetColumn
            guard (0..<count).contains(resolved) else {
                throw DataError.invalidSpec(field: "targetColumn",
                                            expected: "a column in \(-count)..<\(count) (\(path) has \(count) columns)",
                                            found: "\(targetColumn)")
            }
            columns = count
            target = resolved
        }

        private mutating func consumeRow(_ fields: [Substring], number: Int) throws {
            firstDataLine = firstDataLine ?? number
            for (index, field) in fields.enumerated() {
                let value = try parseNumber(field, line: number, column: index + 1)
                if index != target {
                    features.append(Float(value))
                } else if task == .regression {
                    values.append(Float(value))
                } else {
                    guard value >= 0, value == value.rounded(), value <= Double(Int32.max) else {
                        throw DataError.malformedCSV(path: path, line: number, column: index + 1,
                                                     expected: "a class label (a non-negative integer)",
                                                     found: Self.quoted(field))
                    }
                    labels.append(Int32(value))
                }
            }
        }

        private func parseNumber(_ field: Substring, line: Int, column: Int) throws -> Double {
            var text = field.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                text = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            // Finite in Float too: the features are stored as Float.
            let number = DecimalNumber.parse(text)
            guard let value = number, value.isFinite, Float(value).isFinite else {
                let outOfFloatRange = number?.isFinite ?? false
                throw DataError.malformedCSV(path: path, line: line, column: column,
                                             expected: outOfFloatRange ? "a number within Float32's range (±3.4e38)" : "a finite number",
                                             found: Self.quoted(field))
            }
            return value
        }

        /// A field as an error shows it: quoted, NUL bytes spelt out, at most 80 characters
        /// (a 100 MB field made a 100 MB message).
        static func quoted(_ field: Substring) -> String {
            let shown = field.count > 80 ? field.prefix(77) + "…" : field
            return "\"" + shown.replacingOccurrences(of: "\u{0}", with: "\\0") + "\"" + (field.count > 80 ? " (\(field.count) characters)" : "")
        }

        func finish(lineCount: Int) throws -> FileTable {
            guard let columns, let firstDataLine else {
                throw DataError.malformedCSV(path: path, line: nil, column: nil,
                                             expected: "at least one data row", found: "none in \(lineCount) lines")
            }
            let featureCount = columns - 1
            switch task {
            case .regression:
                return FileTable(featureCount: featureCount, rows: Split(features: features, values: values), task: .regression)
            case .classification:
                switch FileTable.classification(features: features, labels: labels, featureCount: featureCount) {
                case .success(let table):
                    return table
                case .failure(let problem):
                    // A one-class file is pointed at its first row; too many classes at no row.
                    throw DataError.malformedCSV(path: path, line: problem.tooFew ? firstDataLine : nil, column: target + 1,
                                                 expected: problem.expected, found: problem.found)
                }
            }
        }
    }
}
