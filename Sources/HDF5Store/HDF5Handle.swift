import CHDF5

/// Owns one HDF5 identifier and closes it exactly once: on `close()` or in `deinit`.
//
// @unchecked Sendable: the identifier is immutable and `isClosed` is only touched under
// HDF5Library's lock.
final class HDF5Handle: @unchecked Sendable {
    let id: hid_t
    private let closeFunction: @Sendable (hid_t) -> herr_t
    private var isClosed = false

    init(_ id: hid_t, close: @escaping @Sendable (hid_t) -> herr_t) {
        self.id = id
        self.closeFunction = close
    }

    /// Closes the identifier unless already closed; returns HDF5's status (0 when already closed).
    @discardableResult
    func close() -> herr_t {
        HDF5Library.withLock {
            guard !isClosed else { return 0 }
            isClosed = true
            return closeFunction(id)
        }
    }

    deinit {
        // A failure here (for example an object already closed with its file) has no one to
        // report to; the identifier is gone either way.
        close()
    }
}
