import Foundation

/// Temporary files ("NAME.tmp-PID") left by a process killed while it wrote NAME.
///
/// A temporary file is removed only when the process that named it is no longer alive, so a
/// write in progress is never disturbed; callers hold the output's lock.
enum StaleTemporaries {
    /// Removes stale temporaries of `path` ("path.tmp-PID") from its directory.
    static func remove(besides path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        remove(in: directory.isEmpty ? "." : directory, where: { $0 == base })
    }

    /// Removes stale temporaries in `directory` whose target name satisfies `isTarget`.
    static func remove(in directory: String, where isTarget: (String) -> Bool) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            guard let range = name.range(of: ".tmp-", options: .backwards),
                  let pid = pid_t(name[range.upperBound...]), pid > 0,
                  isTarget(String(name[..<range.lowerBound])), !isAlive(pid) else { continue }
            unlink(directory + "/" + name)
        }
    }

    /// Whether a process with this id exists (it may belong to another user).
    static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
