import CHDF5
import HDF5Store
import XCTest

/// Multi-dimensional arrays are stored in row-major (C) order with their dimensions as given,
/// the layout h5py, NumPy and every results-file reader assume.
///
/// A round trip through this library alone cannot show that: a writer that reversed the
/// dimensions and a reader that reversed them back would agree with each other. So one side
/// of each check here is HDF5's C API, used directly: the dimensions it reports, single
/// elements it reads by coordinate, and a file it wrote. Element (i, j, k) holds 100i + 10j + k,
/// so any transposition or reshaping puts a recognisably wrong number somewhere.
final class HDF5LayoutTests: XCTestCase {
    let shape = [2, 3, 4]
    var values: [Double] {
        var values: [Double] = []
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<4 { values.append(Double(100 * i + 10 * j + k)) }
            }
        }
        return values
    }

    func testWrittenArrayHasItsDimensionsAndElementsInRowMajorOrder() throws {
        for storage in [HDF5StorageOptions.contiguous, .compressed(level: 1, chunkShape: [1, 3, 2])] {
            let path = try temporaryPath()
            let file = try HDF5File.create(at: path)
            try file.root.writeDataset("cube", values, shape: shape, storage: storage)
            try file.close()

            let reader = try RawDatasetReader(path: path, dataset: "/cube")
            XCTAssertEqual(reader.dimensions, [2, 3, 4], "\(storage)")
            for (i, j, k) in [(0, 0, 1), (0, 1, 0), (1, 0, 0), (1, 2, 3), (0, 2, 1), (1, 1, 2)] {
                XCTAssertEqual(try reader.element(at: [i, j, k]), Double(100 * i + 10 * j + k), "(\(i), \(j), \(k)) with \(storage)")
            }
        }
    }

    func testArrayWrittenByTheCLibraryReadsBackInRowMajorOrder() throws {
        let path = try temporaryPath()
        try writeWithCLibrary(values, shape: shape, path: path, dataset: "cube")
        let read = try HDF5File.open(at: path).root.dataset("cube").readDoubles()
        XCTAssertEqual(read.shape, [2, 3, 4])
        XCTAssertEqual(read.values, values)
        XCTAssertEqual(read.values[1 * 12 + 2 * 4 + 3], 123)
    }

    /// Writes a float64 dataset with H5Dcreate2/H5Dwrite, from `values` in C order.
    func writeWithCLibrary(_ values: [Double], shape: [Int], path: String, dataset: String) throws {
        let file = H5Fcreate(path, decaybench_h5f_acc_trunc(), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard file >= 0 else { throw RawHDF5Failure(what: "create \(path)") }
        defer { H5Fclose(file) }
        let dimensions = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dimensions.count), dimensions, nil)
        defer { H5Sclose(space) }
        let set = H5Dcreate2(file, dataset, decaybench_h5t_ieee_f64le(), space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard set >= 0 else { throw RawHDF5Failure(what: "create dataset \(dataset)") }
        defer { H5Dclose(set) }
        guard H5Dwrite(set, decaybench_h5t_native_double(), 0, 0, hid_t(H5P_DEFAULT), values) >= 0 else {
            throw RawHDF5Failure(what: "write dataset \(dataset)")
        }
    }
}

struct RawHDF5Failure: Error {
    let what: String
}

/// A float64 dataset opened with the C API alone: its dimensions, and one element at a time.
final class RawDatasetReader {
    let file: hid_t
    let dataset: hid_t
    let dimensions: [Int]

    init(path: String, dataset name: String) throws {
        file = H5Fopen(path, decaybench_h5f_acc_rdonly(), hid_t(H5P_DEFAULT))
        guard file >= 0 else { throw RawHDF5Failure(what: "open \(path)") }
        dataset = H5Dopen2(file, name, hid_t(H5P_DEFAULT))
        guard dataset >= 0 else {
            H5Fclose(file)
            throw RawHDF5Failure(what: "open dataset \(name)")
        }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        var dims = [hsize_t](repeating: 0, count: Int(H5Sget_simple_extent_ndims(space)))
        H5Sget_simple_extent_dims(space, &dims, nil)
        dimensions = dims.map { Int($0) }
    }

    deinit {
        H5Dclose(dataset)
        H5Fclose(file)
    }

    /// The element at `coordinates`, selected as a one-element hyperslab of the file's dataspace.
    func element(at coordinates: [Int]) throws -> Double {
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let start = coordinates.map { hsize_t($0) }, count = [hsize_t](repeating: 1, count: coordinates.count)
        guard H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nil, count, nil) >= 0 else {
            throw RawHDF5Failure(what: "select \(coordinates)")
        }
        var one: hsize_t = 1
        let memory = H5Screate_simple(1, &one, nil)
        defer { H5Sclose(memory) }
        var value = Double.nan
        guard H5Dread(dataset, decaybench_h5t_native_double(), memory, space, hid_t(H5P_DEFAULT), &value) >= 0 else {
            throw RawHDF5Failure(what: "read element \(coordinates)")
        }
        return value
    }
}
