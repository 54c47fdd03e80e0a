import CHDF5

/// Where an operation happens (file and object path), and how its failures become `HDF5Error`s.
///
/// Call these checks while holding `HDF5Library.withLock`, right after the C call, so that the
/// HDF5 error stack still describes that call.
struct HDF5Location: Sendable {
    let file: String
    let object: String

    /// The location of `name` below this one; a name starting with "/" is absolute in the file.
    func child(_ name: String) -> HDF5Location {
        if name.hasPrefix("/") { return HDF5Location(file: file, object: name) }
        return HDF5Location(file: file, object: object == "/" ? "/" + name : object + "/" + name)
    }

    /// An error for `operation`; without `detail`, HDF5's innermost error message is used.
    func error(_ operation: String, _ detail: String? = nil) -> HDF5Error {
        HDF5Error(operation: operation, file: file, object: object,
                  detail: detail ?? HDF5Location.innermostLibraryMessage())
    }

    /// Returns `id`, or throws when the call that produced it failed (a negative identifier).
    @discardableResult
    func check(_ id: hid_t, _ operation: String) throws -> hid_t {
        guard id >= 0 else { throw error(operation) }
        return id
    }

    /// Throws when a call that returns a status failed.
    func check(_ status: herr_t, _ operation: String) throws {
        guard status >= 0 else { throw error(operation) }
    }

    /// Returns a tri-state answer as a Bool, or throws when the call failed.
    func check(truth: htri_t, _ operation: String) throws -> Bool {
        guard truth >= 0 else { throw error(operation) }
        return truth > 0
    }

    /// Returns `id` (the result of a create or copy call) after `configure` has set it up; if
    /// either fails, the identifier is closed again. The caller closes the returned identifier.
    func configured(_ id: hid_t, _ operation: String, close: (hid_t) -> herr_t,
                    configure: (hid_t) throws -> Void) throws -> hid_t {
        try check(id, operation)
        do {
            try configure(id)
        } catch {
            _ = close(id)
            throw error
        }
        return id
    }

    /// Creates a property list of `propertyClass`, set up by `configure`; the caller closes it.
    func makeProperties(_ propertyClass: hid_t, _ operation: String,
                        configure: (hid_t) throws -> Void) throws -> hid_t {
        try configured(H5Pcreate(propertyClass), operation, close: { H5Pclose($0) }, configure: configure)
    }

    /// Validates `name` as one link name or a relative path of them.
    func checkName(_ name: String, _ operation: String) throws {
        guard !name.isEmpty, !name.contains("\0") else {
            throw child(name).error(operation, "the name is empty or contains a NUL character")
        }
    }

    /// Collects names with an HDF5 iteration: `iterate` gets the index to advance and a client
    /// data pointer for a callback that calls `append(_:to:)`.
    func collectNames(_ operation: String,
                      _ iterate: (inout hsize_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        try HDF5Library.withLock {
            var names: [String] = []
            var index: hsize_t = 0
            let status = withUnsafeMutablePointer(to: &names) { iterate(&index, $0) }
            try check(status, operation)
            return names
        }
    }

    /// The body of an iteration callback for `collectNames`: appends `name`; 0 continues.
    static func append(_ name: UnsafePointer<CChar>?, to names: UnsafeMutableRawPointer?) -> herr_t {
        guard let name, let names else { return -1 }
        names.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
        return 0
    }

    /// The description of the innermost (most specific) entry on this thread's HDF5 error stack.
    private static func innermostLibraryMessage() -> String? {
        var message: String?
        withUnsafeMutablePointer(to: &message) { pointer in
            _ = H5Ewalk2(HDF5Constant.defaultErrorStack, H5E_WALK_UPWARD, { index, entry, clientData in
                // Walking upward, entry 0 is the innermost; the rest only repeat it more vaguely.
                guard index == 0, let entry, let clientData else { return 0 }
                let function = entry.pointee.func_name.map { String(cString: $0) } ?? ""
                let description = entry.pointee.desc.map { String(cString: $0) } ?? ""
                clientData.assumingMemoryBound(to: String?.self).pointee =
                    function.isEmpty ? description : "\(function): \(description)"
                return 0
            }, pointer)
        }
        return message
    }
}
