import CZlib
import Foundation

/// A fresh directory for one test's files, removed when released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to `name`, gzip-compressed if asked, and returns the path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8], gzip: Bool = false) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Self.writeFile(path, bytes: bytes, gzip: gzip)
        return path
    }

    /// Writes `bytes` to `path`, gzip-compressed if asked.
    static func writeFile(_ path: String, bytes: [UInt8], gzip: Bool) throws {
        if gzip {
            guard let file = gzopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
            let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
            guard written == Int32(bytes.count) else { throw CocoaError(.fileWriteUnknown) }
        } else {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }

    /// Writes `text` to `name` and returns the path.
    @discardableResult
    func write(_ name: String, text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }
}

/// The bytes of an IDX file: big-endian magic number, sizes, then the elements.
func idxBytes(magic: UInt32, sizes: [Int], payload: [UInt8]) -> [UInt8] {
    func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    return bigEndian(magic) + sizes.flatMap { bigEndian(UInt32($0)) } + payload
}
