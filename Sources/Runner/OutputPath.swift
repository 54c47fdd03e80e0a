import Datasets
import Foundation

/// Checks a results path before any work is done, so that a run never computes results
/// it cannot save, and never replaces something that is not a results file.
public enum OutputPath {
    /// Throws unless `path` can receive a results file: its directory exists and is
    /// writable, and the path is either free or (when allowed) a regular file.
    /// - Parameter replaceFlag: the flag that allows replacing an existing file, for the message;
    ///   nil for a command that never replaces one.
    /// - Parameter replacingAnyFile: whether an existing file of any content may be replaced
    ///   (a report); otherwise only an HDF5 file or an empty one is (a results file), so that
    ///   --overwrite never replaces a grid file, notes or other data given by mistake.
    public static func check(_ path: String, allowingExisting: Bool, replaceFlag: String? = "--overwrite",
                             replacingAnyFile: Bool = false) throws {
        try checkNamesFile(path)
        let parent = directory(of: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            let exists = FileManager.default.fileExists(atPath: parent)
            throw RunnerError.input("cannot write \(path): " + (exists ? "\(parent) is a file, not a directory" : "the directory \(parent) does not exist"))
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
            throw RunnerError.input("\(path) already exists; " + (replaceFlag.map { "add \($0) to replace it or " } ?? "")
                                    + "choose another output path")
        }
        guard replacingAnyFile || isHDF5OrEmpty(path) else {
            throw RunnerError.input("\(path) exists and is not an HDF5 file; only a results file is replaced"
                                    + (replaceFlag.map { " by \($0)" } ?? "") + ": move it away or choose another output path")
        }
    }

    /// Whether `path` is a regular file that is empty or begins with HDF5's signature.
    static func isHDF5OrEmpty(_ path: String) -> Bool {
        let signature = StaleTemporaries.signatures[0]
        guard let head = head(of: path, count: signature.count) else { return false }
        return head.isEmpty || head == signature
    }

    /// Up to `count` first bytes of the regular file at `path`; nil for anything else (a FIFO,
    /// whose open would wait for a writer forever, a device, a link) or an unreadable file.
    public static func head(of path: String, count: Int) -> [UInt8]? {
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        // Non-blocking as well: the entry may be swapped for a FIFO between the check and the open.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = Glibc.read(descriptor, &bytes, count)
        return read < 0 ? nil : Array(bytes.prefix(read))
    }

    /// Throws unless the last component of `path` names a file: not empty, ".", ".." or a
    /// trailing "/". Checked before anything is made beside the path (its lock, "PATH.lock").
    public static func checkNamesFile(_ path: String) throws {
        guard !path.isEmpty else { throw RunnerError.input("the output path is empty") }
        guard ![".", ".."].contains(name(of: path)), !path.hasSuffix("/") else {
            throw RunnerError.input("\(path) names a directory, not a file; give a file name such as \(path.hasSuffix("/") ? path : path + "/")results.h5")
        }
        // Checked before any work: a run of hours must not end on a name the file system refuses.
        let bytes = name(of: path).utf8.count
        guard bytes <= longestName else {
            throw RunnerError.input("the file name of \(path) is \(bytes) bytes; at most \(longestName), so that "
                                    + "the files made beside it (NAME\(longestSuffix)) fit the file system's \(nameMax)")
        }
    }

    /// The longest suffix of a file made beside an output: its lock's temporary, with Linux's
    /// largest process id (2^22).
    static let longestSuffix = ".lock.tmp-4194304"
    /// Bytes in a file name on Linux's file systems (NAME_MAX).
    static let nameMax = 255
    static var longestName: Int { nameMax - longestSuffix.utf8.count }

    /// Throws when `path` names one of the files `data` reads, however spelt: `--overwrite`
    /// would replace the data the runs train on with their results.
    public static func checkIsNotData(_ path: String, of data: DataSpec) throws {
        var inputs: [String] = []
        switch data.source {
        case .csv, .hdf5: inputs = [data.path].compactMap { $0 }
        case .fashionMNIST, .mnist:
            if let files = try? DatasetLocator().idxFiles(for: data.source, path: data.path) {
                inputs = [files.trainImages, files.trainLabels, files.testImages, files.testLabels]
            }
        case .syntheticClassification, .syntheticRegression: break
        }
        for input in inputs where nameSameFile(path, input) {
            throw RunnerError.input("\(path) is the data file \(input) that the runs read; choose another output path")
        }
    }

    /// Whether two paths name one existing file (the same device and inode), however spelt.
    public static func nameSameFile(_ first: String, _ second: String) -> Bool {
        var a = stat(), b = stat()
        return stat(first, &a) == 0 && stat(second, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    /// The directory part of `path`: "." for a bare name, "/" for a name in the root.
    ///
    /// Not `NSString.deletingLastPathComponent`, which crashes on "." in this Foundation.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// The last component of `path` (everything after its last "/").
    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
