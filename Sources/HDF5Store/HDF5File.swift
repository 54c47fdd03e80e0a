import CHDF5
import Foundation

/// An HDF5 file on disk, created or opened, with its root group.
///
/// All writes to one file should come from one place (the caller's single writer); the module
/// also serialises its own calls behind one process-wide lock, so use from several threads is
/// safe, only not concurrent.
//
// @unchecked Sendable: the handles are immutable and only used under HDF5Library's lock.
public final class HDF5File: @unchecked Sendable {
    /// How an existing file is opened.
    public enum Mode: Sendable {
        case readOnly
        case readWrite
    }

    /// The file's path on disk, as given.
    public let path: String
    /// The root group "/"; the file's own attributes (h5py's `File.attrs`) are the root's.
    public let root: HDF5Group

    private let handle: HDF5Handle
    /// Where errors about the file as a whole point.
    private var fileLocation: HDF5Location { HDF5Location(file: path, object: "") }

    /// The file's identifier, for this module's extensions.
    var fileID: hid_t { handle.id }

    init(path: String, id: hid_t) throws {
        self.path = path
        let handle = HDF5Handle(id, close: { H5Fclose($0) })
        self.handle = handle
        let location = HDF5Location(file: path, object: "/")
        let rootID = try location.check(H5Gopen2(id, "/", HDF5Constant.defaultProperties), "open root group")
        self.root = HDF5Group(handle: HDF5Handle(rootID, close: { H5Gclose($0) }),
                              fileHandle: handle, location: location)
    }

    /// Creates a new, empty file at `path`.
    /// - Parameters:
    ///   - path: where to create it; the directory must exist.
    ///   - overwrite: replace an existing file; when false (the default) an existing file is an error.
    public static func create(at path: String, overwrite: Bool = false) throws -> HDF5File {
        try HDF5Library.withLock {
            let location = HDF5Location(file: path, object: "")
            if !overwrite && FileManager.default.fileExists(atPath: path) {
                throw location.error("create file", "the file exists; pass overwrite: true to replace it")
            }
            let access = try fileAccessProperties(location)
            defer { H5Pclose(access) }
            // EXCL as well as the check above, so a file created meanwhile is not clobbered.
            let flags = overwrite ? decaybench_h5f_acc_trunc() : decaybench_h5f_acc_excl()
            HDF5Library.guardReads(of: nil)
            let id = try location.check(H5Fcreate(path, flags, HDF5Constant.defaultProperties, access), "create file")
            return try HDF5File(path: path, id: id)
        }
    }

    /// Opens an existing file.
    /// - Parameters:
    ///   - path: the file's path.
    ///   - mode: `.readOnly` (the default) or `.readWrite`.
    public static func open(at path: String, mode: Mode = .readOnly) throws -> HDF5File {
        try HDF5Library.withLock {
            let location = HDF5Location(file: path, object: "")
            try checkRegularFile(path, location)
            let access = try fileAccessProperties(location)
            defer { H5Pclose(access) }
            let flags = mode == .readOnly ? decaybench_h5f_acc_rdonly() : decaybench_h5f_acc_rdwr()
            HDF5Library.guardReads(of: mode == .readOnly ? path : nil)
            let id = try location.check(H5Fopen(path, flags, access), "open file")
            return try HDF5File(path: path, id: id)
        }
    }

    /// Refuses what HDF5 cannot open as a file before it tries: a directory would be reported in
    /// HDF5's internal terms, and a FIFO would block the open until something writes to it.
    private static func checkRegularFile(_ path: String, _ location: HDF5Location) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw location.error("open file", reason)
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw location.error("open file", "it is a directory, not a file")
        default: throw location.error("open file", "it is not a regular file (a FIFO, device or socket)")
        }
    }

    /// Writes buffered data to disk without closing.
    public func flush() throws {
        try HDF5Library.withLock {
            try fileLocation.check(H5Fflush(handle.id, H5F_SCOPE_LOCAL), "flush file")
        }
    }

    /// Flushes and closes the file and every object still open in it; later use of them throws.
    /// Closing twice is harmless. Readers (h5py, xarray) can open the file once this returns.
    public func close() throws {
        try HDF5Library.withLock {
            root.handle.close()
            try fileLocation.check(handle.close(), "close file")
        }
    }

    /// File access properties: closing the file closes all its objects ("strong" close degree),
    /// so `close()` really releases the file (and its lock) even if an object is still referenced.
    private static func fileAccessProperties(_ location: HDF5Location) throws -> hid_t {
        try location.makeProperties(decaybench_h5p_file_access(), "set file access properties") { access in
            try location.check(H5Pset_fclose_degree(access, H5F_CLOSE_STRONG), "set file close degree")
        }
    }
}
