import CHDF5

// The H5DS calls are outside thread-safe HDF5's lock; this module's lock covers them.
extension HDF5Dataset {
    /// Marks this 1-D dataset as a dimension scale named after itself, so that netCDF readers
    /// (xarray with h5netcdf) name the dimensions it is attached to after this dataset.
    public func makeDimensionScale() throws {
        let operation = "make dimension scale of"
        try HDF5Library.withLock {
            _ = try length(ofOneDimensional: operation)
            try location.check(H5DSset_scale(handle.id, name), operation)
        }
    }

    /// Attaches `scale` (a dimension scale of the same file) to dimension `dimension` of this
    /// dataset.
    /// - Throws: `HDF5Error` when the dimension does not exist or its length differs from the scale's.
    public func attachDimensionScale(_ scale: HDF5Dataset, toDimension dimension: Int) throws {
        let operation = "attach dimension scale '\(scale.path)' to"
        try HDF5Library.withLock {
            let shape = try self.shape
            let scaleShape = try scale.shape
            guard shape.indices.contains(dimension) else {
                throw location.error(operation, "dimension \(dimension) does not exist in shape \(shape)")
            }
            guard scaleShape == [shape[dimension]] else {
                throw location.error(operation, "the scale has shape \(scaleShape); dimension \(dimension) has length \(shape[dimension])")
            }
            try location.check(H5DSattach_scale(handle.id, scale.handle.id, UInt32(dimension)), operation)
        }
    }

    /// Whether this dataset is a dimension scale.
    public var isDimensionScale: Bool {
        get throws {
            try HDF5Library.withLock {
                try location.check(truth: H5DSis_scale(handle.id), "check dimension scale of")
            }
        }
    }

    /// Whether `scale` is attached to dimension `dimension` of this dataset.
    public func hasDimensionScale(_ scale: HDF5Dataset, atDimension dimension: Int) throws -> Bool {
        let operation = "check dimension scale '\(scale.path)' of"
        return try HDF5Library.withLock {
            let rank = try self.shape.count
            guard (0..<rank).contains(dimension) else {
                throw location.error(operation, "dimension \(dimension) does not exist (rank \(rank))")
            }
            return try location.check(truth: H5DSis_attached(handle.id, scale.handle.id, UInt32(dimension)), operation)
        }
    }
}
