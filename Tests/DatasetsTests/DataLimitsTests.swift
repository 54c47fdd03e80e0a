import Datasets
import HDF5Store
import XCTest

/// Sizes declared by a file or written in a spec are checked before any memory is reserved:
/// an oversized request is an error naming the file, dataset and shape, never an abort.
final class DataLimitsTests: XCTestCase {
    /// An HDF5 X declared 10⁶ × 10⁵ (400 GB as float32) in a file of a few kilobytes: reading
    /// it used to abort with "failed to allocate 400000000032 bytes".
    func testAnHDF5MatrixDeclaredTooLargeIsRefusedBeforeReading() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("declared.h5").path
        let file = try HDF5File.create(at: path)
        try file.root.declareDataset("X", of: Float.self, shape: [1_000_000, 100_000])
        try file.root.declareDataset("y", of: Int64.self, shape: [1_000_000])
        try file.close()
        XCTAssertLessThan(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? .max, 100_000)

        for task in TaskKind.allCases {
            XCTAssertThrowsError(try DatasetLoader.load(DataSpec(source: .hdf5, path: path, task: task))) { error in
                XCTAssertEqual(error as? DataError, .tooLarge(
                    what: "\(path), dataset 'X'", found: "shape 1000000 × 100000 (100000000000 values)",
                    limit: "at most \(DataLimits.values) values (8 GB as float32)"))
                XCTAssertTrue("\(error)".hasPrefix("\(path), dataset 'X': shape 1000000 × 100000"), "\(error)")
            }
        }
    }

    func testATargetVectorOfAnotherLengthIsRefusedBeforeReading() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("targets.h5").path
        let file = try HDF5File.create(at: path)
        try file.root.writeDataset("X", [Float](repeating: 1, count: 6), shape: [3, 2])
        try file.root.declareDataset("y", of: Double.self, shape: [4_000_000_000])
        try file.close()
        XCTAssertThrowsError(try HDF5MatrixReader.read(path: path, featuresDataset: "X", targetsDataset: "y", task: .regression)) { error in
            XCTAssertTrue("\(error)".contains("a vector of 3 targets at 'y'") && "\(error)".contains("[4000000000]"), "\(error)")
        }
    }

    /// Sizes of up to 2³² each in an IDX header: their product overflowed (a trap) when the
    /// image shape was not fixed by the caller.
    func testAnIDXHeaderWhoseSizesOverflowIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("huge-images", bytes: idxBytes(magic: 0x803, sizes: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], payload: [1, 2, 3]))
        XCTAssertThrowsError(try IDXReader.readImages(at: path)) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("overflow"), "\(error)")
        }
    }

    func testShapesAreCheckedAgainstTheLimitsAndMemory() {
        func message(_ shape: [Int], bytesPerValue: Int = 4) -> String {
            do {
                try DataLimits.check(shape: shape, bytesPerValue: bytesPerValue, what: "f.h5, dataset 'X'")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message([1000, 20]), "accepted")
        XCTAssertEqual(message([Int.max, 2]), "f.h5, dataset 'X': shape \(Int.max) × 2 (more values than a 64-bit count holds) is too large; "
                       + "DecayBench accepts at most 2000000000 values")
        XCTAssertEqual(message([200_000_000, 1]), "f.h5, dataset 'X': shape 200000000 × 1 is too large; DecayBench accepts at most 100000000 points")
        XCTAssertEqual(message([10, 2_000_000]), "f.h5, dataset 'X': shape 10 × 2000000 is too large; DecayBench accepts at most 1000000 features")
        // Within the limits, but not within the memory of any machine.
        XCTAssertTrue(message([1000, 1000], bytesPerValue: Int.max / 1000).contains("of memory available now"))
    }

    func testSyntheticSizesAreCheckedBeforeGenerating() {
        let cases: [(DataSpec, String)] = [
            (DataSpec(source: .syntheticClassification, classes: 1_000_000_000), "classes"),
            (DataSpec(source: .syntheticClassification, features: 1_000_000, classes: 65_536), "classes"),
            (DataSpec(source: .syntheticRegression, samples: 1_000_000_000), "samples"),
            (DataSpec(source: .syntheticRegression, samples: 10_000_000, features: 1_000), "samples"),
            (DataSpec(source: .syntheticRegression, features: 10_000_000), "features"),
            (DataSpec(source: .fashionMNIST, trainSubset: Int.max), "train_subset"),
        ]
        for (spec, field) in cases {
            XCTAssertEqual(spec.sizeProblems.first?.field, field, "\(spec)")
            XCTAssertThrowsError(try DatasetLoader.validate(spec), "\(spec)") { error in
                guard case .invalidSpec(let found, _, _)? = error as? DataError else { return XCTFail("\(error)") }
                XCTAssertEqual(found, field)
            }
        }
        XCTAssertTrue(DataSpec(source: .syntheticClassification, samples: 100_000, features: 1_000, classes: 10).sizeProblems.isEmpty)
    }
}
