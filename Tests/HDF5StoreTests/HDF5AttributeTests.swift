import HDF5Store
import XCTest

final class HDF5AttributeTests: XCTestCase {
    private let values: [String: HDF5AttributeValue] = [
        "title": .string("weight decay — Größe 🧪"),
        "empty": .string(""),
        "learning_rate": .double(1e-3),
        "seed": .int64(Int64.min),
        "lambdas": .doubles([0, 1e-4, 5e-4, .infinity]),
        "epochs": .int64s([1, 2, 3]),
        "no_doubles": .doubles([]),
        "no_ints": .int64s([]),
    ]

    func testEveryKindRoundTripsOnFileGroupAndDataset() throws {
        let path = try temporaryPath()
        let file = try HDF5File.create(at: path)
        let objects: [HDF5Object] = [file.root, try file.root.createGroup("g"),
                                     try file.root.writeDataset("d", [1] as [Float], shape: [1])]
        for object in objects {
            for (name, value) in values { try object.setAttribute(name, value) }
        }
        try file.close()

        let root = try HDF5File.open(at: path).root
        for object in [root, try root.group("g"), try root.dataset("d")] as [HDF5Object] {
            XCTAssertEqual(try object.attributeNames(), values.keys.sorted(), object.path)
            for (name, value) in values {
                XCTAssertEqual(try object.attribute(name), value, "\(object.path) \(name)")
            }
            XCTAssertEqual(try object.stringAttribute("title"), "weight decay — Größe 🧪")
            XCTAssertEqual(try object.stringAttribute("empty"), "")
            XCTAssertEqual(try object.doubleAttribute("learning_rate"), 1e-3)
            XCTAssertEqual(try object.int64Attribute("seed"), Int64.min)
            XCTAssertEqual(try object.doublesAttribute("lambdas"), [0, 1e-4, 5e-4, .infinity])
            XCTAssertEqual(try object.int64sAttribute("epochs"), [1, 2, 3])
        }
    }

    func testSettingAgainReplacesEvenWithAnotherKind() throws {
        let path = try temporaryPath()
        let file = try HDF5File.create(at: path)
        try file.root.setAttribute("status", .string("running"))
        try file.root.setAttribute("status", .string("finished, 3 diverged"))
        try file.root.setAttribute("count", .int64(1))
        try file.root.setAttribute("count", .doubles([1.5, 2.5]))
        try file.close()

        let root = try HDF5File.open(at: path).root
        XCTAssertEqual(try root.stringAttribute("status"), "finished, 3 diverged")
        XCTAssertEqual(try root.attribute("count"), .doubles([1.5, 2.5]))
        XCTAssertEqual(try root.attributeNames(), ["count", "status"])
    }

    func testWrongKindOrMissingAttributeThrows() throws {
        let path = try temporaryPath()
        let group = try HDF5File.create(at: path).root.createGroup("runs")
        try group.setAttribute("seed", .int64(7))
        assertHDF5Error(try group.doubleAttribute("seed"), mentions: path, "/runs", "seed", "Int64")
        assertHDF5Error(try group.stringAttribute("seed"), mentions: "as String", "Int64")
        assertHDF5Error(try group.attribute("absent"), mentions: path, "/runs", "absent")
        XCTAssertFalse(try group.hasAttribute("absent"))
        XCTAssertTrue(try group.hasAttribute("seed"))
        assertHDF5Error(try group.setAttribute("bad", .string("a\0b")), mentions: "NUL")
    }
}
