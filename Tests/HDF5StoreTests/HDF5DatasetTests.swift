import HDF5Store
import XCTest

final class HDF5DatasetTests: XCTestCase {
    private func roundTrip<Element: HDF5Element & Equatable>(_ values: [Element], shape: [Int],
                                                              storage: HDF5StorageOptions = .contiguous,
                                                              file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try temporaryPath()
        let written = try HDF5File.create(at: path)
        try written.root.writeDataset("g/data", values, shape: shape, storage: storage)
        try written.close()
        let dataset = try HDF5File.open(at: path).root.dataset("g/data")
        let read = try dataset.read(as: Element.self)
        XCTAssertEqual(read.values, values, file: file, line: line)
        XCTAssertEqual(read.shape, shape, file: file, line: line)
        XCTAssertEqual(try dataset.elementType, Element.hdf5ElementType, file: file, line: line)
    }

    func testEveryElementTypeRoundTrips() throws {
        try roundTrip([1.5, -2.25, .infinity, 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude] as [Float], shape: [2, 3])
        try roundTrip([Double.pi, -1e300, .leastNonzeroMagnitude], shape: [3])
        try roundTrip([Int32.min, -1, 0, 1, Int32.max, 7, 8, 9], shape: [2, 2, 2])
        try roundTrip([Int64.min, Int64.max, 0], shape: [3, 1])
        try roundTrip([0, 1, 127, 128, 255] as [UInt8], shape: [5])
    }

    func testEmptyAndScalarShapesRoundTrip() throws {
        try roundTrip([] as [Float], shape: [0])
        try roundTrip([] as [Double], shape: [3, 0, 2])
        try roundTrip([] as [Int64], shape: [0], storage: .compressed())
        try roundTrip([42] as [Int32], shape: [])
    }

    func testCompressedStorageRoundTripsAndShrinks() throws {
        let values = [UInt8](repeating: 7, count: 200_000)
        try roundTrip(values, shape: [200, 1000], storage: .compressed())
        try roundTrip((0..<10_000).map { Float($0) }, shape: [100, 100],
                      storage: HDF5StorageOptions(chunkShape: [10, 100], deflateLevel: nil, shuffle: true))

        let plain = try temporaryPath("plain.h5"), packed = try temporaryPath("packed.h5")
        for (path, storage) in [(plain, HDF5StorageOptions.contiguous), (packed, .compressed())] {
            let file = try HDF5File.create(at: path)
            try file.root.writeDataset("x", values, shape: [200, 1000], storage: storage)
            try file.close()
        }
        let size = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        XCTAssertLessThan(try size(packed) * 10, try size(plain), "deflate should shrink a constant array")
    }

    /// A file that declares millions of tiny chunks is refused before libhdf5 reads them:
    /// reading 24 × 2,000,000 floats in 16 × 3 chunks took 6.9 GB. The same values in chunks
    /// of a useful size read.
    func testMillionsOfTinyChunksAreRefusedBeforeTheyAreRead() throws {
        let file = try HDF5File.create(at: try temporaryPath())
        let tiny = try file.root.declareDataset("tiny", of: Float.self, shape: [24, 2_000_000],
                                                storage: HDF5StorageOptions(chunkShape: [16, 3]))
        XCTAssertEqual(try tiny.chunkShape, [16, 3])
        assertHDF5Error(try tiny.readFloats(), mentions: "1333334 chunks of [16, 3]", "the file is damaged")
        let useful = try file.root.declareDataset("useful", of: Float.self, shape: [24, 200_000],
                                                  storage: HDF5StorageOptions(chunkShape: [16, 3]))
        XCTAssertEqual(try useful.readFloats().values.count, 24 * 200_000, "133,334 chunks: under the limit")
        let contiguous = try file.root.writeDataset("plain", [Float(1), 2], shape: [2])
        XCTAssertNil(try contiguous.chunkShape)
        XCTAssertEqual(try contiguous.readFloats().values, [1, 2])
    }

    func testCountNotMatchingShapeThrows() throws {
        let path = try temporaryPath()
        let root = try HDF5File.create(at: path).root
        assertHDF5Error(try root.writeDataset("x", [1, 2, 3] as [Float], shape: [2, 2]), mentions: path, "/x", "3 values")
        assertHDF5Error(try root.writeDataset("y", [] as [Float], shape: [-1]), mentions: "negative")
        assertHDF5Error(try root.writeDataset("z", [1, 2] as [Float], shape: []), mentions: "/z")
        XCTAssertFalse(try root.contains("x"), "a rejected write must not leave a dataset behind")
    }

    func testBadStorageOptionsThrow() throws {
        let root = try HDF5File.create(at: try temporaryPath()).root
        let values = [Float](repeating: 1, count: 12)
        assertHDF5Error(try root.writeDataset("a", values, shape: [3, 4], storage: .compressed(level: 12)), mentions: "deflate level")
        assertHDF5Error(try root.writeDataset("b", values, shape: [3, 4], storage: .compressed(chunkShape: [4, 4])),
                        mentions: "chunk shape")
        assertHDF5Error(try root.writeDataset("c", values, shape: [3, 4], storage: .compressed(chunkShape: [3])),
                        mentions: "chunk shape")
    }

    func testWritingAnExistingNameThrows() throws {
        let path = try temporaryPath()
        let root = try HDF5File.create(at: path).root
        try root.writeDataset("x", [1] as [Int64], shape: [1])
        assertHDF5Error(try root.writeDataset("x", [2] as [Int64], shape: [1]), mentions: path, "/x", "write dataset")
        XCTAssertEqual(try root.dataset("x").readInt64s().values, [1])
    }

    func testLossyReadsThrowAndLosslessReadsConvert() throws {
        let root = try HDF5File.create(at: try temporaryPath()).root
        try root.writeDataset("double", [0.1], shape: [1])
        try root.writeDataset("float", [0.1] as [Float], shape: [1])
        try root.writeDataset("int64", [Int64(1) << 60], shape: [1])
        try root.writeDataset("int32", [Int32.max], shape: [1])
        try root.writeDataset("uint8", [255] as [UInt8], shape: [1])

        assertHDF5Error(try root.dataset("double").readFloats(), mentions: "/double", "float64")
        assertHDF5Error(try root.dataset("int64").readDoubles(), mentions: "/int64", "int64")
        assertHDF5Error(try root.dataset("int32").readFloats(), mentions: "int32")
        assertHDF5Error(try root.dataset("float").readInt32s(), mentions: "float32")
        assertHDF5Error(try root.dataset("int32").readUInt8s(), mentions: "int32")

        XCTAssertEqual(try root.dataset("float").readDoubles().values, [Double(Float(0.1))])
        XCTAssertEqual(try root.dataset("int32").readDoubles().values, [Double(Int32.max)])
        XCTAssertEqual(try root.dataset("int32").readInt64s().values, [Int64(Int32.max)])
        XCTAssertEqual(try root.dataset("uint8").readFloats().values, [255])
        XCTAssertEqual(try root.dataset("uint8").readInt32s().values, [255])
    }

    func testStringsRoundTrip() throws {
        let path = try temporaryPath()
        let labels = ["T-shirt/top", "", "Ankle boot", "Größe", "λ=1e-4", "🧪"]
        let file = try HDF5File.create(at: path)
        try file.root.writeStrings("labels", labels)
        try file.root.writeStrings("none", [])
        try file.close()

        let root = try HDF5File.open(at: path).root
        XCTAssertEqual(try root.dataset("labels").readStrings(), labels)
        XCTAssertEqual(try root.dataset("labels").shape, [labels.count])
        XCTAssertEqual(try root.dataset("labels").elementType, .fixedString(bytes: "T-shirt/top".utf8.count))
        XCTAssertEqual(try root.dataset("none").readStrings(), [])
        XCTAssertEqual(try root.dataset("labels").stringAttribute("_Encoding"), "utf-8",
                       "xarray decodes fixed-length strings to text only with this attribute")
    }

    func testStringsWithNULAndNumbersAsStringsThrow() throws {
        let root = try HDF5File.create(at: try temporaryPath()).root
        assertHDF5Error(try root.writeStrings("bad", ["a\0b"]), mentions: "/bad", "NUL")
        try root.writeDataset("numbers", [1.0], shape: [1])
        assertHDF5Error(try root.dataset("numbers").readStrings(), mentions: "/numbers", "not strings")
        try root.writeStrings("text", ["x"])
        assertHDF5Error(try root.dataset("text").readDoubles(), mentions: "/text", "string")
    }
}
