import CHDF5

/// A group of an HDF5 file: it holds groups and datasets under names.
///
/// Names may be paths of several components ("a/b"); creating one creates missing
/// intermediate groups.
public final class HDF5Group: HDF5Object, @unchecked Sendable {
    /// Creates the group `name` (and any missing intermediate groups) and returns it open.
    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        try member(name, "create group", close: { H5Gclose($0) }) { child in
            let links = try HDF5Group.linkCreationProperties(child)
            defer { H5Pclose(links) }
            return H5Gcreate2(handle.id, name, links, HDF5Constant.defaultProperties, HDF5Constant.defaultProperties)
        }
    }

    /// Opens the existing group `name`.
    public func group(_ name: String) throws -> HDF5Group {
        try member(name, "open group", close: { H5Gclose($0) }) { _ in
            H5Gopen2(handle.id, name, HDF5Constant.defaultProperties)
        }
    }

    /// Opens the existing dataset `name`.
    public func dataset(_ name: String) throws -> HDF5Dataset {
        try member(name, "open dataset", close: { H5Dclose($0) }) { _ in
            H5Dopen2(handle.id, name, HDF5Constant.defaultProperties)
        }
    }

    /// Opens or creates member `name` with `call`, which returns its identifier, and wraps that.
    func member<Member: HDF5Object>(_ name: String, _ operation: String, close: @escaping @Sendable (hid_t) -> herr_t,
                                    _ call: (HDF5Location) throws -> hid_t) throws -> Member {
        try HDF5Library.withLock {
            try location.checkName(name, operation)
            let child = location.child(name)
            let id = try child.check(call(child), operation)
            return Member(handle: HDF5Handle(id, close: close), fileHandle: fileHandle, location: child)
        }
    }

    /// Whether a link `name` exists; for a path, whether every component does.
    public func contains(_ name: String) throws -> Bool {
        try HDF5Library.withLock {
            try location.checkName(name, "look up")
            // H5Lexists fails (rather than answering false) when an intermediate group is missing.
            var prefix = name.hasPrefix("/") ? "/" : ""
            for component in name.split(separator: "/") {
                prefix += prefix.isEmpty || prefix.hasSuffix("/") ? component : "/" + component
                let exists = try location.child(prefix).check(
                    truth: H5Lexists(handle.id, prefix, HDF5Constant.defaultProperties), "look up")
                if !exists { return false }
            }
            return true
        }
    }

    /// The names of the group's direct members (groups and datasets), in name order.
    public func childNames() throws -> [String] {
        try location.collectNames("list members of") { index, names in
            H5Literate(handle.id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, names in
                HDF5Location.append(name, to: names)
            }, names)
        }
    }

    /// Link creation properties: create missing intermediate groups, and name links in UTF-8.
    static func linkCreationProperties(_ location: HDF5Location) throws -> hid_t {
        try location.makeProperties(decaybench_h5p_link_create(), "set link properties") { links in
            try location.check(H5Pset_create_intermediate_group(links, 1), "set link properties")
            try location.check(H5Pset_char_encoding(links, H5T_CSET_UTF8), "set link properties")
        }
    }
}
