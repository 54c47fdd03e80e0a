import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress, warnings and error messages written straight to a file descriptor, best effort.
///
/// `FileHandle.write(_:)` traps when the write fails, and diagnostics fail in ordinary ways: a
/// reader that stopped reading (`run … 2>&1 | head`, quitting `less`) or a log on a full disk.
/// A lost progress line must never end a run that is computing results, so a failed write
/// here is dropped.
public enum DiagnosticOutput {
    public static func write(_ text: String, to descriptor: Int32 = STDERR_FILENO) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
