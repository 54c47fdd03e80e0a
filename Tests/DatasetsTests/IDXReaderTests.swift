import Datasets
import XCTest

final class IDXReaderTests: XCTestCase {
    /// Three 2×3 images whose pixels cover 0, 255 and values between.
    let pixels: [UInt8] = [0, 1, 2, 3, 4, 5, 255, 254, 128, 127, 17, 0, 9, 8, 7, 6, 5, 255]

    func testImagesReadBackExactlyRawAndGzipped() throws {
        let directory = try TemporaryDirectory()
        let bytes = idxBytes(magic: 0x803, sizes: [3, 2, 3], payload: pixels)
        for path in [try directory.write("images", bytes: bytes), try directory.write("images.gz", bytes: bytes, gzip: true)] {
            let images = try IDXReader.readImages(at: path)
            XCTAssertEqual([images.count, images.rows, images.columns], [3, 2, 3], path)
            XCTAssertEqual(images.pixels, pixels.map { Float($0) / 255 }, path)
        }
    }

    func testEveryByteValueDecodesToItsValueOver255InVectorsAndTail() throws {
        // 4 images of 9×9: 324 pixels, 20 vectors of 16 and a tail of 4; each byte value
        // appears in a vector and, for 0...3, in the tail.
        let payload = (0..<324).map { UInt8($0 % 256) }
        let directory = try TemporaryDirectory()
        let path = try directory.write("all.gz", bytes: idxBytes(magic: 0x803, sizes: [4, 9, 9], payload: payload), gzip: true)
        let images = try IDXReader.readImages(at: path)
        XCTAssertEqual(images.pixels, payload.map { Float($0) / 255 })
    }

    /// A gzip file of two members (what `cat a.gz b.gz` makes) is not decompressed whole; it
    /// streams through zlib, which reads both, as before. So does a single member whose CRC is
    /// damaged, which zlib reports.
    func testTwoGzipMembersReadAsOneFileAndADamagedCRCIsReported() throws {
        let directory = try TemporaryDirectory()
        let bytes = idxBytes(magic: 0x803, sizes: [3, 2, 3], payload: pixels)
        let first = try directory.write("first.gz", bytes: Array(bytes.prefix(20)), gzip: true)
        let second = try directory.write("second.gz", bytes: Array(bytes.dropFirst(20)), gzip: true)
        let joined = try Data(contentsOf: URL(fileURLWithPath: first)) + Data(contentsOf: URL(fileURLWithPath: second))
        let path = directory.url.appendingPathComponent("joined.gz").path
        try joined.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try IDXReader.readImages(at: path).pixels, pixels.map { Float($0) / 255 })

        var damaged = Array(try Data(contentsOf: URL(fileURLWithPath: directory.write("whole.gz", bytes: bytes, gzip: true))))
        damaged[damaged.count - 8] ^= 0xFF  // the first byte of the CRC-32
        let damagedPath = directory.url.appendingPathComponent("damaged.gz").path
        try Data(damaged).write(to: URL(fileURLWithPath: damagedPath))
        XCTAssertThrowsError(try IDXReader.readImages(at: damagedPath)) { error in
            XCTAssertTrue("\(error)".contains("damaged.gz"), "\(error)")
        }
    }

    /// Over 2²¹ pixels, a gzip file inflated whole is converted in pieces, one per core: the
    /// same floats as the raw file read through zlib's stream.
    func testALargeGzipFileConvertedInPiecesGivesTheRawFilesPixels() throws {
        let directory = try TemporaryDirectory()
        let payload = (0..<(2_700 * 28 * 28)).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        let bytes = idxBytes(magic: 0x803, sizes: [2_700, 28, 28], payload: payload)
        let raw = try IDXReader.readImages(at: directory.write("large", bytes: bytes))
        let gzipped = try IDXReader.readImages(at: directory.write("large.gz", bytes: bytes, gzip: true))
        XCTAssertEqual(gzipped.pixels.map(\.bitPattern), raw.pixels.map(\.bitPattern))
        XCTAssertEqual(raw.pixels.count, payload.count)
        XCTAssertEqual(raw.pixels[payload.count - 1], Float(payload[payload.count - 1]) / 255)
    }

    func testLabelsReadBackExactlyRawAndGzipped() throws {
        let directory = try TemporaryDirectory()
        let labels: [UInt8] = [3, 0, 9, 9, 1, 255]
        let bytes = idxBytes(magic: 0x801, sizes: [labels.count], payload: labels)
        for path in [try directory.write("labels", bytes: bytes), try directory.write("labels.gz", bytes: bytes, gzip: true)] {
            XCTAssertEqual(try IDXReader.readLabels(at: path), labels.map { Int32($0) }, path)
        }
    }

    func testTruncatedFilesNameTheFile() throws {
        let directory = try TemporaryDirectory()
        let short = idxBytes(magic: 0x803, sizes: [3, 2, 3], payload: Array(pixels.dropLast()))
        let raw = try directory.write("short-images", bytes: short)
        let gzipped = try directory.write("short-images.gz", bytes: short, gzip: true)
        // A gzip stream cut in the middle, not just a short payload.
        let full = try directory.write("full.gz", bytes: idxBytes(magic: 0x803, sizes: [3, 2, 3], payload: pixels), gzip: true)
        let cut = try directory.write("cut.gz", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: full)).dropLast(12)))
        for path in [raw, gzipped, cut] {
            assertIDXError(try IDXReader.readImages(at: path), path: path)
        }
        let labels = try directory.write("short-labels.gz", bytes: idxBytes(magic: 0x801, sizes: [5], payload: [1, 2]), gzip: true)
        assertIDXError(try IDXReader.readLabels(at: labels), path: labels, mentioning: "truncated")
    }

    func testTrailingDataIsAnError() throws {
        let directory = try TemporaryDirectory()
        let long = idxBytes(magic: 0x801, sizes: [2], payload: [1, 2, 3])
        for path in [try directory.write("long", bytes: long), try directory.write("long.gz", bytes: long, gzip: true)] {
            assertIDXError(try IDXReader.readLabels(at: path), path: path)
        }
    }

    func testBadMagicNamesFileAndBothNumbers() throws {
        let directory = try TemporaryDirectory()
        let labelsFile = try directory.write("labels.gz", bytes: idxBytes(magic: 0x801, sizes: [1], payload: [0]), gzip: true)
        assertIDXError(try IDXReader.readImages(at: labelsFile), path: labelsFile, mentioning: "0x00000803")
        assertIDXError(try IDXReader.readImages(at: labelsFile), path: labelsFile, mentioning: "found 0x00000801")
        let text = try directory.write("notes.txt", text: "not an IDX file at all")
        assertIDXError(try IDXReader.readLabels(at: text), path: text, mentioning: "magic number")
    }

    func testWrongImageShapeNamesFileAndShapes() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("images.gz", bytes: idxBytes(magic: 0x803, sizes: [3, 2, 3], payload: pixels), gzip: true)
        assertIDXError(try IDXReader.readImages(at: path, imageShape: (28, 28)), path: path, mentioning: "found 2×3")
        let empty = try directory.write("empty.gz", bytes: idxBytes(magic: 0x803, sizes: [3, 0, 3], payload: []), gzip: true)
        assertIDXError(try IDXReader.readImages(at: empty), path: empty, mentioning: "is 0")
    }

    func testHeaderPromisingMoreThanTheFileCanHoldFailsBeforeReading() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("huge.gz", bytes: idxBytes(magic: 0x803, sizes: [1 << 20, 1024, 1024], payload: pixels),
                                       gzip: true)
        assertIDXError(try IDXReader.readImages(at: path), path: path, mentioning: "too small")
    }

    func testMissingFileNamesIt() {
        let path = "/nonexistent/decaybench/images.gz"
        XCTAssertThrowsError(try IDXReader.readImages(at: path)) { error in
            XCTAssertEqual(error as? DataError, .unreadable(path: path, reason: "no such file"))
        }
    }

    private func assertIDXError<T>(_ expression: @autoclosure () throws -> T, path: String, mentioning text: String? = nil,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard case .malformedIDX(let errorPath, _, _)? = error as? DataError else {
                return XCTFail("expected malformedIDX, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(errorPath, path, file: file, line: line)
            XCTAssertTrue("\(error)".hasPrefix(path), "\(error)", file: file, line: line)
            if let text { XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line) }
        }
    }
}
