import CDeflate
import CZlib
import Foundation

/// A file read through zlib, which decompresses gzip and passes raw files through unchanged.
///
/// A gzip file that libdeflate decompresses whole (one member, its trailer's length and CRC
/// right) is read from memory instead: libdeflate inflates two to three times faster than
/// zlib, and inflating was most of the time it takes to load Fashion-MNIST. Every other file,
/// a damaged one included, goes through zlib's stream, so its errors are zlib's as before.
///
/// Owns the zlib handle and closes it when released, so every early `throw` closes the file.
final class GzipReader {
    let path: String
    private let source: Source

    private enum Source {
        case stream(gzFile)
        case inflated([UInt8])
    }

    /// Bytes of `inflated` handed out so far.
    private var position = 0

    /// Opens `path` for reading.
    /// - Throws: `DataError.unreadable` naming the file when it is missing or cannot be opened.
    init(path: String) throws {
        self.path = path
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DataError.unreadable(path: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        // A FIFO's open waits for a writer forever, and a device never ends.
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw DataError.unreadable(path: path, reason: "it is not a regular file (a FIFO, a device or a directory)")
        }
        if let inflated = Self.inflateWhole(path: path) {
            source = .inflated(inflated)
            return
        }
        guard let handle = gzopen(path, "rb") else {
            throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        source = .stream(handle)
        // A larger input buffer than zlib's 8 KiB default halves the read calls on big files.
        gzbuffer(handle, 1 << 17)
    }

    deinit {
        if case .stream(let handle) = source { gzclose(handle) }
    }

    /// Largest gzip file decompressed whole: its uncompressed length, from the trailer, is
    /// allocated at once (a trailer is four bytes anyone can write, so it is bounded here, and
    /// by deflate's greatest ratio below). Larger files stream through zlib.
    static let largestWholeInflation = 1 << 30

    /// The whole decompressed content of a single-member gzip file, or nil when the file is not
    /// gzip, too large, damaged, or anything but exactly one member that libdeflate verifies
    /// (its CRC-32 and its length): the caller then reads it through zlib.
    private static func inflateWhole(path: String) -> [UInt8]? {
        // The magic number first: a raw IDX file is not read twice.
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard let magic = try? file.read(upToCount: 2), magic.elementsEqual([0x1F, 0x8B]) else { return nil }
        // Under `ulimit -v` a failed allocation ends the process. Streaming needs 128 KiB, and
        // the readers' size checks then say what does not fit; inflating whole holds the file
        // and its content at once, beside the floats a reader converts them to (four bytes
        // each): it is taken only when all of that fits in what the process may still allocate.
        let available = DataLimits.availableMemory
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil,
              size >= 18, size <= largestWholeInflation, size < available / 2,
              // Read, not mapped: a mapped file cut short by another process while it is read
              // would end the process with SIGBUS instead of an error naming the file.
              (try? file.seek(toOffset: 0)) != nil, let compressed = try? file.readToEnd(), compressed.count == size
        else { return nil }
        // ISIZE: the uncompressed length modulo 2³², little-endian, in the last four bytes.
        let length = compressed.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        // Deflate expands at most about 1032:1.
        guard length > 0, length <= largestWholeInflation, length / 1032 <= compressed.count, size + 5 * length < available,
              let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var succeeded = false
        // Filled by libdeflate, never cleared first (clearing 47 MB would show in the load time).
        let inflated = [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            var consumed = 0, produced = 0
            let result = compressed.withUnsafeBytes { input in
                libdeflate_gzip_decompress_ex(decompressor, input.baseAddress, input.count,
                                              output.baseAddress, output.count, &consumed, &produced)
            }
            succeeded = result == LIBDEFLATE_SUCCESS && consumed == compressed.count && produced == length
            initialized = succeeded ? length : 0
        }
        return succeeded ? inflated : nil
    }

    /// Whether the file is read as is (not gzip). Valid only after the first read.
    var isRaw: Bool {
        switch source {
        case .stream(let handle): return gzdirect(handle) != 0
        case .inflated: return false
        }
    }

    /// The file's size on disk in bytes (compressed size for gzip files).
    var sizeOnDisk: Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    }

    /// Calls `body` with the next `count` bytes where they lie, without copying them, when the
    /// file was inflated whole and has that many left (and moves past them); otherwise returns
    /// nil and reads nothing, and the caller reads with `read(into:)`.
    func withNextBytesInPlace<R>(count: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        guard case .inflated(let data) = source, count <= data.count - position else { return nil }
        let result = try data.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[position..<(position + count)])) }
        position += count
        return result
    }

    /// Fills `buffer` as far as the file allows and returns the number of bytes read;
    /// fewer than `buffer.count` means the file ended.
    /// - Throws: `DataError.malformedIDX` with zlib's message when the stream is corrupt.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let handle: gzFile
        switch source {
        case .inflated(let data):
            let count = min(buffer.count, data.count - position)
            guard count > 0 else { return 0 }
            data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: count) }
            position += count
            return count
        case .stream(let stream):
            handle = stream
        }
        var total = 0
        while total < buffer.count {
            // gzread takes an unsigned int length, so read at most 1 GiB per call.
            let request = UInt32(min(buffer.count - total, 1 << 30))
            let got = gzread(handle, buffer.baseAddress! + total, request)
            if got < 0 { throw corruption() }
            if got == 0 { break }
            total += Int(got)
        }
        if total < buffer.count, let error = pendingError() {
            // A gzip stream cut short reads as a short file; zlib says so only through gzerror.
            throw DataError.malformedIDX(path: path, expected: "a complete gzip stream", found: error)
        }
        return total
    }

    private func corruption() -> DataError {
        DataError.malformedIDX(path: path, expected: "a readable gzip or raw IDX file",
                               found: pendingError() ?? "a read error")
    }

    private func pendingError() -> String? {
        guard case .stream(let handle) = source else { return nil }
        var code: Int32 = 0
        let message = gzerror(handle, &code)
        guard code != Z_OK, let message else { return nil }
        // zlib prefixes its message with the path, which the DataError names already.
        let text = String(cString: message)
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }
}
