import HDF5Store
import XCTest

final class HDF5DimensionScaleTests: XCTestCase {
    func testAttachedScalesAreDetectableAfterReopening() throws {
        let path = try temporaryPath()
        let file = try HDF5File.create(at: path)
        let group = try file.root.createGroup("curves")
        let runs = try group.writeStrings("run", ["a", "b", "c"])
        let epochs = try group.writeDataset("epoch", [1, 2] as [Int64], shape: [2])
        let loss = try group.writeDataset("loss", [Float](repeating: 0.5, count: 6), shape: [3, 2])
        try runs.makeDimensionScale()
        try epochs.makeDimensionScale()
        try loss.attachDimensionScale(runs, toDimension: 0)
        try loss.attachDimensionScale(epochs, toDimension: 1)
        try file.close()

        let reopened = try HDF5File.open(at: path).root.group("curves")
        let run = try reopened.dataset("run"), epoch = try reopened.dataset("epoch")
        let data = try reopened.dataset("loss")
        XCTAssertTrue(try run.isDimensionScale)
        XCTAssertTrue(try epoch.isDimensionScale)
        XCTAssertFalse(try data.isDimensionScale)
        XCTAssertTrue(try data.hasDimensionScale(run, atDimension: 0))
        XCTAssertTrue(try data.hasDimensionScale(epoch, atDimension: 1))
        XCTAssertFalse(try data.hasDimensionScale(epoch, atDimension: 0))
        XCTAssertFalse(try data.hasDimensionScale(run, atDimension: 1))
        // The scale's name is its own name, which netCDF readers use as the dimension's name.
        XCTAssertEqual(try run.stringAttribute("NAME"), "run")
    }

    func testMismatchedScalesThrow() throws {
        let path = try temporaryPath()
        let root = try HDF5File.create(at: path).root
        let scale = try root.writeDataset("step", [1, 2, 3] as [Int64], shape: [3])
        let data = try root.writeDataset("data", [Double](repeating: 0, count: 4), shape: [2, 2])
        let matrix = try root.writeDataset("matrix", [Double](repeating: 0, count: 4), shape: [2, 2])
        try scale.makeDimensionScale()
        assertHDF5Error(try data.attachDimensionScale(scale, toDimension: 0), mentions: path, "/data", "length 2")
        assertHDF5Error(try data.attachDimensionScale(scale, toDimension: 2), mentions: "dimension 2")
        assertHDF5Error(try matrix.makeDimensionScale(), mentions: "/matrix", "not one dimension")
    }
}
