import Datasets
import Foundation
import FuzzSupport
import HDF5Store
import XCTest

/// Thousands of mutated IDX (raw and gzip), CSV and HDF5 files, the same ones on every run:
/// each must read as a value or fail with a `DataError`, never crash or hang.
///
/// A failing case is reproduced from its index alone: `Mutator.mutate(seeds, seed:, index:)`.
final class ReaderFuzzTests: XCTestCase {
    /// What a campaign found wrong: errors that are not `DataError`s, by case.
    final class Findings: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        private(set) var values = 0
        private(set) var errors = 0

        func record(_ outcome: () throws -> Void, case index: Int) {
            do {
                try outcome()
                lock.withLock { values += 1 }
            } catch is DataError {
                lock.withLock { errors += 1 }
            } catch {
                lock.withLock { items.append("case \(index): \(type(of: error)) \(error)") }
            }
        }

        var unexpected: [String] { lock.withLock { items } }
    }

    /// Runs `count` cases (a few seconds in a debug build; `DECAYBENCH_FUZZ_CASES` asks for
    /// more, for a longer search) and checks that all ended, each with a value or a
    /// `DataError`, and that the mutations broke most files.
    func campaign(_ name: String, count: Int, file: StaticString = #filePath, line: UInt = #line,
                  _ body: @escaping @Sendable (Int, Findings) -> Void) {
        let count = ProcessInfo.processInfo.environment["DECAYBENCH_FUZZ_CASES"].flatMap { Int($0) } ?? count
        let findings = Findings()
        let hung = FuzzCampaign.run(count: count, timeout: 120 + Double(count) / 10) { body($0, findings) }
        XCTAssertNil(hung, "\(name): case \(hung ?? -1) did not end", file: file, line: line)
        XCTAssertEqual(findings.unexpected, [], "\(name): errors that are not DataError", file: file, line: line)
        XCTAssertGreaterThan(findings.errors, count / 10, "\(name): the mutations should break most files", file: file, line: line)
        XCTAssertGreaterThan(findings.values + findings.errors, 0, file: file, line: line)
    }

    func testIDXFilesRawAndGzipped() throws {
        let directory = try TemporaryDirectory()
        let images = idxBytes(magic: 0x803, sizes: [3, 2, 3], payload: (0..<18).map { UInt8($0 * 13 % 256) })
        let labels = idxBytes(magic: 0x801, sizes: [5], payload: [0, 9, 3, 3, 1])
        let seeds = [images, labels]
        let gzipped = try seeds.enumerated().map { index, bytes in
            Array(try Data(contentsOf: URL(fileURLWithPath: try directory.write("seed\(index).gz", bytes: bytes, gzip: true))))
        }
        let mutator = Mutator()
        let base = directory.url.path
        campaign("IDX", count: 2000) { index, findings in
            // A third of the cases mutate the gzip stream, a third gzip a mutated file, a third stay raw.
            let path = "\(base)/case\(index)"
            let bytes: [UInt8]
            switch index % 3 {
            case 0: bytes = mutator.mutate(gzipped, seed: 1, index: index)
            default: bytes = mutator.mutate(seeds, seed: 2, index: index)
            }
            do {
                if index % 3 == 1 {
                    try TemporaryDirectory.writeFile(path, bytes: bytes, gzip: true)
                } else {
                    try FuzzFile.write(bytes, to: path)
                }
            } catch {
                return findings.record({ throw error }, case: index)
            }
            findings.record({ _ = try IDXReader.readImages(at: path) }, case: index)
            findings.record({ _ = try IDXReader.readImages(at: path, imageShape: (2, 3)) }, case: index)
            findings.record({ _ = try IDXReader.readLabels(at: path) }, case: index)
            unlink(path)
        }
    }

    func testCSVFiles() throws {
        let directory = try TemporaryDirectory()
        let seeds = [
            "a,b,label\n1,2,0\n3.5,-4,1\n\"5\", 6e-3 ,2\n",
            "\u{FEFF}x,y\r\n0.1,1\r\n0.2,0\r\n\r\n0.3,1\r\n",
            "1,2,3,0.5\n4,5,6,-1.25\n7,8,9,3\n",
        ].map { Array($0.utf8) }
        let mutator = Mutator(dictionary: [",", "\"", "\n", "\r\n", " ", "nan", "inf", "-", "1e39", "1e309", "2147483648",
                                           "99999999999999999999", "0x10", "\u{FEFF}", "\0", "é", "-0", ".", "e"])
        let base = directory.url.path
        campaign("CSV", count: 2000) { index, findings in
            let path = "\(base)/case\(index).csv"
            let bytes = mutator.mutate(seeds, seed: 3, index: index)
            findings.record({ try FuzzFile.write(bytes, to: path) }, case: index)
            for (task, column, header) in [(TaskKind.classification, -1, true), (.regression, 0, false), (.classification, 7, true)] {
                findings.record({ _ = try CSVReader.read(path: path, targetColumn: column, header: header, task: task) }, case: index)
            }
            unlink(path)
        }
    }

    /// Byte mutations of small HDF5 files as h5py and DecayBench write them. Some make HDF5
    /// 1.10 itself crash; the reader must turn those into errors too.
    func testHDF5Files() throws {
        let directory = try TemporaryDirectory()
        let seeds = HDF5FuzzSeeds.files + HDF5StoreFuzzSeeds.files
        let mutator = Mutator()
        let base = directory.url.path
        let crashes = Findings.Crashes()
        campaign("HDF5", count: 1000) { index, findings in
            let path = "\(base)/case\(index).h5"
            let bytes = mutator.mutate(seeds, seed: 4, index: index)
            findings.record({ try FuzzFile.write(bytes, to: path) }, case: index)
            let task = TaskKind.allCases[index % TaskKind.allCases.count]
            findings.record({
                do {
                    _ = try HDF5MatrixReader.read(path: path, featuresDataset: "X", targetsDataset: "y", task: task)
                } catch let error as DataError {
                    if "\(error)".contains("the HDF5 library crashed") { crashes.add(index) }
                    throw error
                }
            }, case: index)
            unlink(path)
        }
        print("HDF5 fuzz: the library crashed on cases \(crashes.indices); each was reported as an error")
    }

    /// Mutation 199 of DecayBench's own files made HDF5 1.10.8 dereference garbage in
    /// `H5F__accum_read` (a segmentation fault that ended the program); it is now an error
    /// naming the file.
    func testAnHDF5FileThatCrashesTheLibraryIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("damaged.h5").path
        try FuzzFile.write(Mutator().mutate(HDF5StoreFuzzSeeds.files, seed: 4, index: 199), to: path)
        XCTAssertThrowsError(try HDF5MatrixReader.read(path: path, featuresDataset: "X", targetsDataset: "y",
                                                       task: .classification)) { error in
            guard case .unreadable(let file, let reason)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path)
            XCTAssertTrue(reason.hasPrefix("the HDF5 library crashed (signal 11) reading 'X' and 'y': the file is damaged"), reason)
        }
    }
}

/// Seeds kept as base64 text.
protocol Base64Seeds {
    static var base64: [String] { get }
}

extension Base64Seeds {
    static var files: [[UInt8]] {
        base64.map { Array(Data(base64Encoded: $0, options: .ignoreUnknownCharacters) ?? Data()) }
    }
}

extension HDF5FuzzSeeds: Base64Seeds {}
extension HDF5StoreFuzzSeeds: Base64Seeds {}

extension ReaderFuzzTests.Findings {
    /// Indices of the cases on which a C library crashed (in the child process).
    final class Crashes: @unchecked Sendable {
        private let lock = NSLock()
        private var found: [Int] = []

        func add(_ index: Int) { lock.withLock { found.append(index) } }
        var indices: [Int] { lock.withLock { found } }
    }
}
