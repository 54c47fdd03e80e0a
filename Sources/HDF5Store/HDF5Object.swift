import CHDF5

/// An open group or dataset of an HDF5 file: its path, and the attributes it carries.
///
/// Objects keep their file open while they live; `HDF5File.close()` closes them all at once,
/// after which their operations throw.
//
// @unchecked Sendable: the stored handles are immutable and every use of them goes through
// HDF5Library's lock.
public class HDF5Object: @unchecked Sendable {
    /// The file's path on disk.
    public var filePath: String { location.file }
    /// The object's path inside the file, "/" for the root group.
    public var path: String { location.object }
    /// The object's own name: the last component of its path ("/" for the root group).
    public var name: String {
        path == "/" ? "/" : String(path.split(separator: "/").last ?? Substring(path))
    }

    let handle: HDF5Handle
    /// Holds the file's identifier so the file is not closed under a live object.
    let fileHandle: HDF5Handle
    let location: HDF5Location

    required init(handle: HDF5Handle, fileHandle: HDF5Handle, location: HDF5Location) {
        self.handle = handle
        self.fileHandle = fileHandle
        self.location = location
    }
}
