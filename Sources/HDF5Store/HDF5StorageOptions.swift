import CHDF5

/// How a dataset is laid out on disk: contiguous, or in chunks with optional filters.
public struct HDF5StorageOptions: Sendable, Equatable {
    /// Chunk shape; nil chooses one (chunks of at most 1 MiB, which HDF5's default cache holds)
    /// whenever a filter asks for chunks.
    public var chunkShape: [Int]?
    /// Deflate (gzip) level 0...9; nil for none.
    public var deflateLevel: Int?
    /// The shuffle filter (byte planes before deflate; helps numbers compress).
    public var shuffle: Bool

    /// - Parameters:
    ///   - chunkShape: chunk shape, one positive entry per dimension, each at most that dimension.
    ///   - deflateLevel: 0...9, or nil for no compression.
    ///   - shuffle: apply the shuffle filter.
    public init(chunkShape: [Int]? = nil, deflateLevel: Int? = nil, shuffle: Bool = false) {
        self.chunkShape = chunkShape
        self.deflateLevel = deflateLevel
        self.shuffle = shuffle
    }

    /// One contiguous block, no filters.
    public static let contiguous = HDF5StorageOptions()

    /// Chunked, shuffled and deflated.
    /// - Parameters:
    ///   - level: deflate level 0...9; default 4.
    ///   - chunkShape: nil to choose automatically.
    public static func compressed(level: Int = 4, chunkShape: [Int]? = nil) -> HDF5StorageOptions {
        HDF5StorageOptions(chunkShape: chunkShape, deflateLevel: level, shuffle: true)
    }

    /// Dataset creation properties for a dataset of `shape`. An empty dataset (a zero dimension)
    /// or a scalar is stored contiguously, since HDF5 cannot chunk a fixed dimension of size 0.
    /// The caller closes the returned list.
    func creationProperties(shape: [Int], elementSize: Int, _ location: HDF5Location,
                            _ operation: String) throws -> hid_t {
        let wantsChunks = chunkShape != nil || deflateLevel != nil || shuffle
        if let level = deflateLevel, !(0...9).contains(level) {
            throw location.error(operation, "deflate level \(level) is outside 0...9")
        }
        if let chunkShape {
            guard chunkShape.count == shape.count,
                  zip(chunkShape, shape).allSatisfy({ chunk, dimension in chunk >= 1 && chunk <= max(dimension, 1) })
            else {
                throw location.error(operation, "chunk shape \(chunkShape) does not fit shape \(shape)")
            }
        }
        return try location.makeProperties(decaybench_h5p_dataset_create(), operation) { properties in
            guard wantsChunks, !shape.isEmpty, !shape.contains(0) else { return }
            let chunk = (chunkShape ?? HDF5StorageOptions.automaticChunk(shape: shape, elementSize: elementSize))
                .map { hsize_t($0) }
            try location.check(H5Pset_chunk(properties, Int32(chunk.count), chunk), operation)
            // Shuffle must come before deflate in the pipeline to help it.
            if shuffle { try location.check(H5Pset_shuffle(properties), operation) }
            if let level = deflateLevel { try location.check(H5Pset_deflate(properties, UInt32(level)), operation) }
        }
    }

    /// Halves the largest chunk dimension until a chunk is at most 1 MiB.
    static func automaticChunk(shape: [Int], elementSize: Int) -> [Int] {
        var chunk = shape.map { max($0, 1) }
        let limit = 1 << 20
        while chunk.reduce(elementSize, *) > limit, let largest = chunk.indices.max(by: { chunk[$0] < chunk[$1] }),
              chunk[largest] > 1 {
            chunk[largest] = (chunk[largest] + 1) / 2
        }
        return chunk
    }
}
