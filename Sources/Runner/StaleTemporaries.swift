import Foundation

/// Temporary files ("NAME.tmp-PID") left by a process killed while it wrote NAME.
///
/// A temporary file is removed only when the process that named it is no longer alive, so a
/// write in progress is never disturbed; callers hold the output's lock.
public enum StaleTemporaries {
    /// How every file DecayBench writes beside an output begins: an HDF5 image (results) or
    /// "pid N on HOST" (a lock). A temporary cut short holds a prefix of one, or nothing.
    /// The first is HDF5's (OutputPath checks it too).
    static let signatures: [[UInt8]] = [[0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A], Array("pid ".utf8)]

    /// Removes stale temporaries of `path` ("path.tmp-PID") from its directory: only regular
    /// files that begin as DecayBench's files do. The name alone proves nothing there: a user's
    /// "results.h5.tmp-1234" is theirs.
    public static func remove(besides path: String) {
        let base = OutputPath.name(of: path)
        remove(in: OutputPath.directory(of: path), where: { $0 == base }, onlyIf: isRecognisablyOurs)
    }

    /// Removes stale temporaries in `directory` whose target name satisfies `isTarget` and
    /// whose file satisfies `onlyIf`.
    static func remove(in directory: String, where isTarget: (String) -> Bool,
                       onlyIf isRemovable: (String) -> Bool = { _ in true }) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            guard let range = name.range(of: ".tmp-", options: .backwards),
                  let pid = pid_t(name[range.upperBound...]), pid > 0,
                  isTarget(String(name[..<range.lowerBound])), !isAlive(pid) else { continue }
            let path = directory + "/" + name
            if isRemovable(path) { unlink(path) }
        }
    }

    /// Whether `path` is a regular file (not a link) that is empty or begins as one of `signatures`.
    static func isRecognisablyOurs(_ path: String) -> Bool {
        guard let start = OutputPath.head(of: path, count: 8) else { return false }
        return signatures.contains { signature in signature.prefix(start.count).elementsEqual(start.prefix(signature.count)) }
    }

    /// Whether a process with this id exists (it may belong to another user).
    static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
