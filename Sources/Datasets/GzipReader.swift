import CZlib
import Foundation

/// A file read through zlib, which decompresses gzip and passes raw files through unchanged.
///
/// Owns the zlib handle and closes it when released, so every early `throw` closes the file.
final class GzipReader {
    let path: String
    private let handle: gzFile

    /// Opens `path` for reading.
    /// - Throws: `DataError.unreadable` naming the file when it is missing or cannot be opened.
    init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError.unreadable(path: path, reason: "no such file")
        }
        guard let handle = gzopen(path, "rb") else {
            throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.handle = handle
        // A larger input buffer than zlib's 8 KiB default halves the read calls on big files.
        gzbuffer(handle, 1 << 17)
    }

    deinit { gzclose(handle) }

    /// Whether the file is read as is (not gzip). Valid only after the first read.
    var isRaw: Bool { gzdirect(handle) != 0 }

    /// The file's size on disk in bytes (compressed size for gzip files).
    var sizeOnDisk: Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    }

    /// Fills `buffer` as far as the file allows and returns the number of bytes read;
    /// fewer than `buffer.count` means the file ended.
    /// - Throws: `DataError.malformedIDX` with zlib's message when the stream is corrupt.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
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
        var code: Int32 = 0
        let message = gzerror(handle, &code)
        guard code != Z_OK, let message else { return nil }
        // zlib prefixes its message with the path, which the DataError names already.
        let text = String(cString: message)
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }
}
