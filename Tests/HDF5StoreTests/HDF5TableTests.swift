import HDF5Store
import XCTest

final class HDF5TableTests: XCTestCase {
    private let runs = HDF5Table(columns: [
        .strings("key", ["adamw-λ=1e-4", "", "sgd-größe", "🧪"]),
        .int64("seed", [0, -1, Int64.max, 3]),
        .float64("final_loss", [0.25, .infinity, -0.0, 1e-300]),
        .float32("accuracy", [0.5, 1, 0, .leastNonzeroMagnitude]),
        .strings("empty", ["", "", "", ""]),
    ])

    func testTableRoundTripsWithUnicodeAndEmptyStrings() throws {
        let path = try temporaryPath()
        let file = try HDF5File.create(at: path)
        try file.root.writeTable("runs", runs)
        try file.root.writeTable("plain", runs, storage: .contiguous)
        try file.close()

        let root = try HDF5File.open(at: path).root
        for name in ["runs", "plain"] {
            let dataset = try root.dataset(name)
            XCTAssertEqual(try dataset.readTable(), runs, name)
            XCTAssertEqual(try dataset.shape, [4])
            XCTAssertEqual(try dataset.elementType, .compound)
        }
        XCTAssertEqual(try root.dataset("runs").readTable().column(named: "seed"), .int64("seed", [0, -1, Int64.max, 3]))
    }

    func testEmptyTableRoundTrips() throws {
        let path = try temporaryPath()
        let empty = HDF5Table(columns: [.strings("key", []), .float64("loss", [])])
        let file = try HDF5File.create(at: path)
        try file.root.writeTable("runs", empty)
        try file.close()
        let read = try HDF5File.open(at: path).root.dataset("runs").readTable()
        XCTAssertEqual(read, empty)
        XCTAssertEqual(read.rowCount, 0)
    }

    func testManyRowsSpanSeveralChunks() throws {
        let count = 50_000
        let table = HDF5Table(columns: [
            .int64("index", (0..<count).map { Int64($0) }),
            .strings("label", (0..<count).map { "run-\($0)" }),
        ])
        let root = try HDF5File.create(at: try temporaryPath()).root
        try root.writeTable("runs", table, storage: .compressed(chunkShape: [1000]))
        XCTAssertEqual(try root.dataset("runs").readTable(), table)
    }

    func testMalformedTablesThrow() throws {
        let path = try temporaryPath()
        let root = try HDF5File.create(at: path).root
        assertHDF5Error(try root.writeTable("uneven", HDF5Table(columns: [.int64("a", [1, 2]), .float64("b", [1])])),
                        mentions: path, "/uneven", "column 'b' has 1 rows")
        assertHDF5Error(try root.writeTable("twice", HDF5Table(columns: [.int64("a", [1]), .float32("a", [1])])),
                        mentions: "'a' appears twice")
        assertHDF5Error(try root.writeTable("none", HDF5Table(columns: [])), mentions: "at least one column")
        assertHDF5Error(try root.writeTable("nul", HDF5Table(columns: [.strings("s", ["a\0"])])), mentions: "NUL")
        try root.writeDataset("numbers", [1, 2] as [Float], shape: [2])
        assertHDF5Error(try root.dataset("numbers").readTable(), mentions: "/numbers", "not table rows")
    }
}
