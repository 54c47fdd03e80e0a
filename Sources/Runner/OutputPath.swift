import Foundation

/// Checks a results path before any work is done, so that a run never computes results
/// it cannot save, and never replaces something that is not a results file.
public enum OutputPath {
    /// Throws unless `path` can receive a results file: its directory exists and is
    /// writable, and the path is either free or (when allowed) a regular file.
    public static func check(_ path: String, allowingExisting: Bool) throws {
        guard !path.isEmpty else { throw RunnerError.input("the output path is empty") }
        let directory = (path as NSString).deletingLastPathComponent
        let parent = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RunnerError.input("cannot write \(path): the directory \(parent) does not exist")
        }
        guard access(parent, W_OK | X_OK) == 0 else {
            throw RunnerError.input("cannot write \(path): the directory \(parent) is not writable")
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }  // free
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw RunnerError.input("\(path) exists and is not a regular file (a directory, link or device); choose another output path")
        }
        guard allowingExisting else {
            throw RunnerError.input("\(path) already exists; add --overwrite to replace it or choose another output path")
        }
    }
}
