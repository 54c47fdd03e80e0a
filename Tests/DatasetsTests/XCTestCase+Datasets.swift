import Datasets
import XCTest

/// Files and assertions the data-set tests share.
extension XCTestCase {
    /// A CSV file of `rows` points whose first feature is the point's original index (the
    /// second is half of it, the label the index mod 3), so a test can tell which points
    /// ended up in which split.
    func indexedCSV(rows: Int, in directory: TemporaryDirectory) throws -> String {
        let lines = (0..<rows).map { "\($0),\(Double($0) * 0.5),\($0 % 3)" }
        return try directory.write("indexed.csv", text: "index,half,label\n" + lines.joined(separator: "\n"))
    }

    /// The original indices of a split of `indexedCSV`'s points; none for no split.
    func originalIndices(_ split: Split?) -> [Int] {
        guard let split else { return [] }
        return stride(from: 0, to: split.features.count, by: 2).map { Int(split.features[$0]) }
    }

    /// Asserts that `expression` throws `DataError.invalidSpec` naming `field`.
    func assertSpecError<T>(_ expression: @autoclosure () throws -> T, field: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard case .invalidSpec(let errorField, _, _)? = error as? DataError else {
                return XCTFail("expected invalidSpec, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(errorField, field, "\(error)", file: file, line: line)
        }
    }
}
