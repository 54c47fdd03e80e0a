import Datasets
import XCTest

final class CSVReaderTests: XCTestCase {
    func testHeaderAndTargetLastWithBlankLinesQuotesAndCRLF() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("points.csv", text: "a,b,label\r\n1, 2.5 ,0\r\n\r\n\"3\",-4e-1,\" 2 \"\r\n   \n")
        let table = try CSVReader.read(path: path, targetColumn: -1, header: true, task: .classification)
        XCTAssertEqual(table.featureCount, 2)
        XCTAssertEqual(table.rows.features, [1, 2.5, 3, -0.4])
        XCTAssertEqual(table.rows.labels, [0, 2])
        XCTAssertEqual(table.task, .classification(classes: 3))
    }

    func testLinesEndingInCarriageReturnsAloneAreLines() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("mac.csv", text: "a,b,label\r1,2,0\r\r3,4,1\r")
        let table = try CSVReader.read(path: path, targetColumn: -1, header: true, task: .classification)
        XCTAssertEqual(table.rows.features, [1, 2, 3, 4])
        XCTAssertEqual(table.rows.labels, [0, 1])
        // Lines are counted the same way in errors.
        let bad = try directory.write("bad-mac.csv", text: "a,b,label\r1,2,0\r3,x,1\r")
        assertCSVError(try CSVReader.read(path: bad, targetColumn: -1, header: true, task: .classification),
                       path: bad, line: 3, column: 2, found: "x")
    }

    func testAGzipCompressedFileIsReadDecompressedWhateverItsName() throws {
        let directory = try TemporaryDirectory()
        let text = "a,b,y\n" + (0..<3000).map { "\($0 % 7),\($0 % 5),\(Double($0) / 8)" }.joined(separator: "\n") + "\n"
        let plain = try directory.write("points.csv", text: text)
        let expected = try CSVReader.read(path: plain, targetColumn: -1, header: true, task: .regression)
        for name in ["points.csv.gz", "points.csv"] {
            let compressed = try directory.write("gz-" + name, bytes: Array(text.utf8), gzip: true)
            let table = try CSVReader.read(path: compressed, targetColumn: -1, header: true, task: .regression)
            XCTAssertEqual(table.rows.features, expected.rows.features)
            XCTAssertEqual(table.rows.values, expected.rows.values)
        }
    }

    func testAGzipFileCutShortIsNamedAsSuch() throws {
        let directory = try TemporaryDirectory()
        let whole = try directory.write("whole.csv.gz", bytes: Array("a,b,y\n1,2,3\n4,5,6\n".utf8), gzip: true)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: whole))
        let cut = try directory.write("cut.csv.gz", bytes: Array(bytes.prefix(bytes.count - 9)))
        XCTAssertThrowsError(try CSVReader.read(path: cut, targetColumn: -1, header: true, task: .regression)) { error in
            guard case let DataError.malformedCSV(path, line, _, expected, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, cut)
            XCTAssertNil(line)
            XCTAssertTrue(expected.contains("a readable gzip file"), expected)
        }
    }

    func testNoHeaderAndTargetFirstForRegression() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("points.csv", text: "-1.5,1,2\n0.25,3,4\n")
        let table = try CSVReader.read(path: path, targetColumn: 0, header: false, task: .regression)
        XCTAssertEqual(table.rows.values, [-1.5, 0.25])
        XCTAssertEqual(table.rows.features, [1, 2, 3, 4])
        XCTAssertEqual(table.task, .regression)
        // The same file read with a header loses its first row.
        XCTAssertEqual(try CSVReader.read(path: path, targetColumn: 0, header: true, task: .regression).rows.count, 1)
    }

    func testNonNumberNamesLineColumnAndText() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.csv", text: "x,y,t\n1,2,0\n\n3,oops,1\n")
        assertCSVError(try CSVReader.read(path: path, targetColumn: -1, header: true, task: .classification),
                       path: path, line: 4, column: 2, found: "oops")
    }

    func testRaggedRowsNameLineAndFirstMissingOrExtraColumn() throws {
        let directory = try TemporaryDirectory()
        let short = try directory.write("short.csv", text: "1,2,3\n4,5\n")
        assertCSVError(try CSVReader.read(path: short, targetColumn: -1, header: false, task: .regression),
                       path: short, line: 2, column: 3, found: "2 fields")
        let long = try directory.write("long.csv", text: "a,b\n1,2\n3,4\n5,6,7\n")
        assertCSVError(try CSVReader.read(path: long, targetColumn: -1, header: true, task: .regression),
                       path: long, line: 4, column: 3, found: "3 fields")
    }

    func testClassLabelsMustBeNonNegativeIntegers() throws {
        let directory = try TemporaryDirectory()
        for label in ["1.5", "-1"] {
            let path = try directory.write("labels.csv", text: "1,0\n2,\(label)\n")
            assertCSVError(try CSVReader.read(path: path, targetColumn: -1, header: false, task: .classification),
                           path: path, line: 2, column: 2, found: label)
        }
    }

    /// C's hexadecimal floats are not CSV numbers: "0x10" was read as 16.
    func testHexadecimalNumbersAreNotNumbers() throws {
        let directory = try TemporaryDirectory()
        for cell in ["0x10", "0x1p3", "-0X2"] {
            let path = try directory.write("hex.csv", text: "1,0\n\(cell),1\n")
            assertCSVError(try CSVReader.read(path: path, targetColumn: -1, header: false, task: .classification),
                           path: path, line: 2, column: 1, found: cell)
        }
    }

    /// A file labelled 7 throughout is one class, not eight: it was trained as an 8-class
    /// problem while the same file labelled 0 was refused.
    func testOneLabelThroughoutIsOneClassWhateverItsNumber() throws {
        let directory = try TemporaryDirectory()
        for label in [0, 7] {
            let path = try directory.write("one-\(label).csv", text: "1,\(label)\n2,\(label)\n3,\(label)\n")
            XCTAssertThrowsError(try CSVReader.read(path: path, targetColumn: -1, header: false, task: .classification)) { error in
                XCTAssertTrue("\(error)".contains("labels of at least 2 classes") && "\(error)".contains("only class \(label)"), "\(error)")
            }
        }
        let path = try directory.write("two.csv", text: "1,0\n2,7\n")
        let table = try CSVReader.read(path: path, targetColumn: -1, header: false, task: .classification)
        XCTAssertEqual(table.task, .classification(classes: 8), "labels 0 and 7: classes 0..<8, as labelled")
    }

    func testTargetColumnOutsideTheFileIsASpecError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("points.csv", text: "1,2\n")
        XCTAssertThrowsError(try CSVReader.read(path: path, targetColumn: 2, header: false, task: .regression)) { error in
            guard case .invalidSpec(let field, _, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "targetColumn")
        }
    }

    private func assertCSVError<T>(_ expression: @autoclosure () throws -> T, path: String, line: Int, column: Int,
                                   found: String, file: StaticString = #filePath, testLine: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: testLine) { error in
            guard case let .malformedCSV(errorPath, errorLine, errorColumn, _, errorFound)? = error as? DataError else {
                return XCTFail("expected malformedCSV, got \(error)", file: file, line: testLine)
            }
            XCTAssertEqual(errorPath, path, file: file, line: testLine)
            XCTAssertEqual(errorLine, line, "line", file: file, line: testLine)
            XCTAssertEqual(errorColumn, column, "column", file: file, line: testLine)
            XCTAssertTrue(errorFound.contains(found), "\(error)", file: file, line: testLine)
        }
    }
}
