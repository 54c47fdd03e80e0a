import Foundation
import TensorMath

/// Reads the IDX files of MNIST-like data sets, gzip-compressed or raw.
///
/// IDX is a big-endian header — a magic number whose third byte is the element type
/// (0x08: unsigned byte) and fourth the number of dimensions, then one 32-bit size per
/// dimension — followed by the elements. The reader checks the magic number, the sizes
/// and that the file holds exactly as many bytes as the header announces.
public enum IDXReader {
    /// Images as Float pixels in [0, 1] (byte / 255), row-major `count × (rows · columns)`.
    public struct Images: Sendable {
        public let count: Int
        public let rows: Int
        public let columns: Int
        public let pixels: [Float]

        /// Pixels per image: the feature count.
        public var pixelsPerImage: Int { rows * columns }
    }

    /// Magic number of an unsigned-byte, three-dimensional file (images).
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// Magic number of an unsigned-byte, one-dimensional file (labels).
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Reads an images file (magic 0x00000803).
    /// - Parameters:
    ///   - path: a `.gz` or raw IDX file.
    ///   - imageShape: when given, the rows and columns every image must have (28 × 28 for MNIST).
    /// - Throws: `DataError` naming the file when it is missing, corrupt, truncated, longer
    ///   than its header says, or of another shape.
    public static func readImages(at path: String, imageShape: (rows: Int, columns: Int)? = nil) throws -> Images {
        let file = try GzipReader(path: path)
        let sizes = try readHeader(of: file, magic: imagesMagic, kind: "images")
        let (count, rows, columns) = (sizes[0], sizes[1], sizes[2])
        if let imageShape, imageShape != (rows, columns) {
            throw DataError.malformedIDX(path: path, expected: "images of \(imageShape.rows)×\(imageShape.columns) pixels",
                                         found: "\(rows)×\(columns)")
        }
        // Sizes come from the header, up to 2³² each: checked before anything is reserved.
        guard let elements = DataLimits.product(sizes) else {
            throw DataError.malformedIDX(path: path, expected: "a plausible header", found: "sizes \(sizes) overflow")
        }
        let description = "\(count) images of \(rows)×\(columns)"
        try checkPlausibleLength(of: file, payload: elements, header: 16, description: description)
        try DataLimits.check(shape: sizes, bytesPerValue: bytesPerPixel, what: path)
        let pixels = try [Float](unsafeUninitializedCapacity: elements) { output, initialized in
            try decodePixels(from: file, into: output, description: description)
            initialized = elements
        }
        try checkAtEnd(file, payload: elements, header: 16, description: description)
        return Images(count: count, rows: rows, columns: columns, pixels: pixels)
    }

    /// Reads a labels file (magic 0x00000801) as Int32 values 0...255.
    /// - Throws: `DataError` naming the file when it is missing, corrupt, truncated or too long.
    public static func readLabels(at path: String) throws -> [Int32] {
        let file = try GzipReader(path: path)
        let count = try readHeader(of: file, magic: labelsMagic, kind: "labels")[0]
        let description = "\(count) labels"
        try checkPlausibleLength(of: file, payload: count, header: 8, description: description)
        try DataLimits.check(shape: [count], bytesPerValue: 5, what: path)
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try file.read(into: $0) }
        guard got == count else {
            throw truncation(file, payload: count, header: 8, got: got, description: description)
        }
        try checkAtEnd(file, payload: count, header: 8, description: description)
        return bytes.map { Int32($0) }
    }

    /// Peak bytes per pixel: the Float32 images, then a subset's copy of them. (While the
    /// images are read, a gzip file and its inflated bytes add under 2 bytes per pixel to the
    /// first 4, and are gone before the copy.)
    private static let bytesPerPixel = 8

    /// Reads the magic number and the sizes it announces.
    private static func readHeader(of file: GzipReader, magic: UInt32, kind: String) throws -> [Int] {
        let dimensions = Int(magic & 0xFF)
        var header = [UInt8](repeating: 0, count: 4 * (1 + dimensions))
        let got = try header.withUnsafeMutableBytes { try file.read(into: $0) }
        guard got >= 4 else {
            throw DataError.malformedIDX(path: file.path, expected: "an IDX header of \(header.count) bytes",
                                         found: "\(got) bytes")
        }
        let words = stride(from: 0, to: got - got % 4, by: 4).map { offset in
            header[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        guard words[0] == magic else {
            throw DataError.malformedIDX(path: file.path, expected: "magic number \(hex(magic)) (\(kind))",
                                         found: hex(words[0]))
        }
        guard got == header.count else {
            throw DataError.malformedIDX(path: file.path, expected: "an IDX header of \(header.count) bytes",
                                         found: "\(got) bytes")
        }
        let sizes = words.dropFirst().map { Int($0) }
        if let zero = sizes.firstIndex(of: 0) {
            throw DataError.malformedIDX(path: file.path, expected: "non-zero sizes in the header",
                                         found: "size \(zero) is 0 (sizes \(sizes))")
        }
        return sizes
    }

    /// Rejects a header that promises more data than the file could hold, before allocating it.
    /// A raw file's length is known exactly; deflate expands at most about 1032:1.
    private static func checkPlausibleLength(of file: GzipReader, payload: Int, header: Int, description: String) throws {
        guard let onDisk = file.sizeOnDisk else { return }
        let expected = header + payload
        if file.isRaw, onDisk != expected {
            throw DataError.malformedIDX(path: file.path, expected: "\(expected) bytes (header: \(description))",
                                         found: "\(onDisk) bytes")
        }
        if !file.isRaw, expected / 1032 > onDisk {
            throw DataError.malformedIDX(
                path: file.path, expected: "\(expected) bytes uncompressed (header: \(description))",
                found: "a gzip file of \(onDisk) bytes, too small to hold them")
        }
    }

    /// Converts the pixel bytes: where the file was inflated whole, in place and on every core
    /// (touching the new floats' fresh pages is most of the work); otherwise chunk by chunk
    /// from zlib's stream, so the bytes never exist all at once.
    private static func decodePixels(from file: GzipReader, into output: UnsafeMutableBufferPointer<Float>,
                                     description: String) throws {
        let convertedInPlace: Bool = file.withNextBytesInPlace(count: output.count) { bytes in
            let pieces = min(ProcessInfo.processInfo.activeProcessorCount, max(1, output.count >> 20))
            let pieceSize = (output.count + pieces - 1) / pieces
            nonisolated(unsafe) let source = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: pieces) { piece in
                let start = piece * pieceSize, count = min(pieceSize, output.count - start)
                if count > 0 { PixelScaling.scale(source + start, count: count, into: output.baseAddress! + start) }
            }
            return true
        } ?? false
        if convertedInPlace { return }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var done = 0
        while done < output.count {
            let want = min(chunk.count, output.count - done)
            let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<want]))
            // The same floats as Float(byte) / 255, without a vector division.
            PixelScaling.scale(chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), count: got, into: output.baseAddress! + done)
            done += got
            if got < want {
                throw truncation(file, payload: output.count, header: 16, got: done, description: description)
            }
        }
    }

    private static func checkAtEnd(_ file: GzipReader, payload: Int, header: Int, description: String) throws {
        var extra: UInt8 = 0
        if try withUnsafeMutableBytes(of: &extra, { try file.read(into: $0) }) > 0 {
            throw DataError.malformedIDX(path: file.path, expected: "\(header + payload) bytes (header: \(description))",
                                         found: "more data after them")
        }
    }

    private static func truncation(_ file: GzipReader, payload: Int, header: Int, got: Int, description: String) -> DataError {
        DataError.malformedIDX(path: file.path, expected: "\(header + payload) bytes (header: \(description))",
                               found: "only \(header + got) bytes (truncated)")
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
