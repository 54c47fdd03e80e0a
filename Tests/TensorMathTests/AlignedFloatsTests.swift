import TensorMath
import XCTest

final class AlignedFloatsTests: XCTestCase {
    private func offsetInLine(_ values: AlignedFloats) -> Int {
        values.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress!) % AlignedFloats.alignment }
    }

    /// Many sizes, many times: malloc alone would put some of them 16 or 48 bytes into a line.
    func testEveryAllocationStartsOnACacheLine() {
        var kept: [AlignedFloats] = []
        for count in [0, 1, 3, 7, 8, 16, 100, 784, 7_850, 269_322] {
            for _ in 0..<20 {
                let values = AlignedFloats(repeating: 1, count: count)
                XCTAssertEqual(offsetInLine(values), 0, "\(count) floats")
                XCTAssertEqual(values.count, count)
                kept.append(values)  // so that the allocator cannot hand out the same block each time
            }
        }
        XCTAssertEqual(offsetInLine(AlignedFloats([1, 2, 3])), 0)
    }

    func testCopiesAreIndependentAndAWriteCopiesOnlyWhenShared() {
        var first = AlignedFloats([1, 2, 3, 4, 5])
        let before = first.withUnsafeBufferPointer { $0.baseAddress! }
        first.withUnsafeMutableBufferPointer { $0[0] = 10 }
        XCTAssertEqual(first.withUnsafeBufferPointer { $0.baseAddress! }, before, "a sole owner writes in place")
        let second = first
        first.withUnsafeMutableBufferPointer { $0[1] = 20 }
        XCTAssertEqual(first.array, [10, 20, 3, 4, 5])
        XCTAssertEqual(second.array, [10, 2, 3, 4, 5], "the copy kept its values")
        XCTAssertEqual(offsetInLine(first), 0, "the written copy is on a line too")
        XCTAssertEqual(second.array[0], 10)
    }

    func testEqualityIsAnArraysOne() {
        XCTAssertEqual(AlignedFloats([1, -0.0]), AlignedFloats([1, 0]))
        XCTAssertNotEqual(AlignedFloats([1, 2]), AlignedFloats([1, 2, 3]))
        XCTAssertNotEqual(AlignedFloats([.nan]), AlignedFloats([.nan]))
        XCTAssertEqual(AlignedFloats(repeating: 0, count: 0), AlignedFloats([]))
    }
}
