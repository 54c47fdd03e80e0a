import CHDF5
import Foundation

// A file built in memory is written to disk by the caller in one plain write: a full disk
// or a failing device then fails that write, with errno's words, instead of failing inside
// HDF5's own flush, where a failed close leaves the library unable to shut down cleanly
// (it crashed at exit in `H5_term_library` when a results file was written to a full disk).
extension HDF5File {
    /// Creates a new, empty file that lives only in memory; `image()` returns its bytes.
    /// - Parameter name: how errors name the file (usually the path it will be saved to).
    public static func createInMemory(name: String) throws -> HDF5File {
        try HDF5Library.withLock {
            let location = HDF5Location(file: name, object: "")
            let access = try location.makeProperties(decaybench_h5p_file_access(), "set file access properties") { access in
                try location.check(H5Pset_fclose_degree(access, H5F_CLOSE_STRONG), "set file close degree")
                // Grow in 1 MiB steps; never write a backing file.
                try location.check(H5Pset_fapl_core(access, 1 << 20, false), "keep the file in memory")
            }
            defer { H5Pclose(access) }
            HDF5Library.guardReads(of: nil)
            let id = try location.check(H5Fcreate(name, decaybench_h5f_acc_trunc(), HDF5Constant.defaultProperties, access),
                                        "create in-memory file")
            return try HDF5File(path: name, id: id)
        }
    }

    /// The file's complete bytes as they would be on disk.
    public func image() throws -> Data {
        try HDF5Library.withLock {
            let operation = "take the image of"
            // The image is the driver's buffer: metadata still cached is not in it until flushed.
            try HDF5Location(file: path, object: "").check(H5Fflush(fileID, H5F_SCOPE_GLOBAL), "flush")
            let size = H5Fget_file_image(fileID, nil, 0)
            guard size >= 0 else { throw HDF5Location(file: path, object: "").error(operation) }
            var data = Data(count: Int(size))
            let copied = data.withUnsafeMutableBytes { H5Fget_file_image(fileID, $0.baseAddress, Int(size)) }
            guard copied == size else { throw HDF5Location(file: path, object: "").error(operation) }
            return data
        }
    }
}
