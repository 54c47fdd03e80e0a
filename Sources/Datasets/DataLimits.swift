import Foundation
import HDF5Store

/// The largest data sets DecayBench accepts, and the check that one fits in memory.
///
/// Every size a user writes or a file declares is compared with these before any memory is
/// reserved for it, so an oversized request is an error naming what was asked for, never an
/// allocation failure. The limits are far above the small problems DecayBench is for.
public enum DataLimits {
    /// Most points in one data set, before the split.
    public static let points = 100_000_000
    /// Most features per point.
    public static let features = 1_000_000
    /// Most classes of a classification set.
    public static let classes = 65_536
    /// Most feature values (points × features) in one data set: 8 GB as Float32.
    public static let values = 2_000_000_000

    /// The product of `factors`, or nil when it overflows `Int` (negative factors are the
    /// caller's to reject first).
    public static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// Bytes of memory available to this process now: Linux's `MemAvailable`, else the
    /// physical memory, and no more than what its address-space limit leaves it (the limit
    /// less what it has mapped already: libraries, thread stacks, OpenBLAS's buffers).
    public static var availableMemory: Int { memoryAvailableNow.bytes }

    /// `availableMemory`, and what bounds it as a message says it ("the 647 MB that this
    /// process's address-space limit (ulimit -v) leaves it").
    public static var memoryAvailableNow: (bytes: Int, described: String) {
        var available = ProcessMemory.ceiling
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            available = min(available, kilobytes.multipliedReportingOverflow(by: 1024).overflow ? Int.max : kilobytes * 1024)
        }
        // Under `ulimit -v` an allocation past the limit ends the process ("failed to allocate"),
        // however much memory the machine has free.
        if let left = ProcessMemory.addressSpaceLeft, left < available {
            return (left, "the \(describe(bytes: left)) that this process's address-space limit (ulimit -v) leaves it")
        }
        return (available, "the \(describe(bytes: available)) of memory available now")
    }

    /// Checks that a data set of `shape` fits the limits and, at `bytesPerValue` bytes per
    /// value while it is read, the memory available now.
    ///
    /// - Parameters:
    ///   - shape: [points, features] as declared (a file header, an HDF5 dataspace).
    ///   - what: names the data for the message, for example "dataset 'X' in data.h5".
    /// - Throws: `DataError.tooLarge` naming `what`, the shape and the limit it breaks.
    public static func check(shape: [Int], bytesPerValue: Int, what: String) throws {
        let found = "shape \(shape.map(String.init).joined(separator: " × "))"
        guard let values = product(shape) else {
            throw DataError.tooLarge(what: what, found: found + " (more values than a 64-bit count holds)",
                                     limit: "at most \(Self.values) values")
        }
        if let points = shape.first, points > Self.points {
            throw DataError.tooLarge(what: what, found: found, limit: "at most \(Self.points) points")
        }
        if shape.count > 1, let features = product(Array(shape.dropFirst())), features > Self.features {
            throw DataError.tooLarge(what: what, found: found, limit: "at most \(Self.features) features")
        }
        guard values <= Self.values else {
            throw DataError.tooLarge(what: what, found: found + " (\(values) values)",
                                     limit: "at most \(Self.values) values (8 GB as float32)")
        }
        let (bytes, overflow) = values.multipliedReportingOverflow(by: bytesPerValue)
        let available = memoryAvailableNow
        if overflow || bytes > available.bytes {
            throw DataError.tooLarge(what: what, found: found + " (\(describe(bytes: overflow ? Int.max : bytes)) to read)",
                                     limit: available.described)
        }
    }

    /// "1.5 GB", "300 MB": a size as people say it.
    public static func describe(bytes: Int) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.0f MB", value / 1e6) }
        return String(format: "%.0f kB", value / 1e3)
    }
}

extension DataSpec {
    /// Every size in the spec beyond `DataLimits`, as (snake_case field, message); checked
    /// without reading anything, by `DatasetLoader.validate` and the run configuration's
    /// validation alike.
    public var sizeProblems: [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        for (field, subset) in [("train_subset", trainSubset), ("test_subset", testSubset)] {
            if let subset, subset > DataLimits.points {
                problems.append((field, "at most \(DataLimits.points) points, got \(subset)"))
            }
        }
        if let holdOut = holdOutWithoutReading, !(1..<holdOut.trainSplit).contains(holdOut.count) {
            problems.append((holdOut.field, "expected a hold-out of 1 to \(holdOut.trainSplit - 1) of the "
                             + "\(holdOut.trainSplit) training points, got \(holdOut.count)"))
        }
        problems += subsetProblems
        guard source == .syntheticRegression || source == .syntheticClassification else { return problems }
        if samples > DataLimits.points {
            problems.append(("samples", "at most \(DataLimits.points), got \(samples)"))
        }
        if features > DataLimits.features {
            problems.append(("features", "at most \(DataLimits.features), got \(features)"))
        }
        if (1...DataLimits.points).contains(samples), (1...DataLimits.features).contains(features), samples * features > DataLimits.values {
            problems.append(("samples", "samples × features = \(samples * features) values, more than \(DataLimits.values)"))
        }
        if source == .syntheticClassification {
            if classes > DataLimits.classes {
                problems.append(("classes", "at most \(DataLimits.classes), got \(classes)"))
            } else if classes >= 1, (1...DataLimits.features).contains(features), classes * features > DataLimits.values {
                problems.append(("classes", "classes × features = \(classes * features) centre values, more than \(DataLimits.values)"))
            }
        }
        return problems
    }

    /// Subsets larger than the split they are drawn from, when its size is known without
    /// reading a file: `plan` refused nothing there, and `run` failed when it loaded the data.
    var subsetProblems: [(field: String, message: String)] {
        guard let trainSplit = trainSplitWithoutReading, trainSplit >= 1,
              source.hasOwnTestSplit || (1...DataLimits.points).contains(samples) else { return [] }
        var problems: [(field: String, message: String)] = []
        let holdOut = holdOutWithoutReading
        let validation = holdOut.map { (1..<$0.trainSplit).contains($0.count) ? $0.count : 0 } ?? 0
        if let trainSubset, trainSubset > trainSplit - validation {
            problems.append(("train_subset", "expected at most the \(trainSplit - validation) training points available"
                             + (validation > 0 ? " (\(trainSplit) less the \(validation) held out for validation)" : "")
                             + ", got \(trainSubset)"))
        }
        if let testSubset, let testSplit = testSplitWithoutReading, testSplit >= 1, testSubset > testSplit {
            problems.append(("test_subset", "expected at most the \(testSplit) test points available, got \(testSubset)"))
        }
        return problems
    }

    /// The validation hold-out and the training split it comes out of, when a size or a
    /// fraction in (0, 1) asks for one and the split's size is known without reading a file:
    /// so that `plan` refuses what loading the data would.
    var holdOutWithoutReading: (field: String, count: Int, trainSplit: Int)? {
        guard let trainSplit = trainSplitWithoutReading else { return nil }
        // Synthetic sets whose own sizes are refused have no split worth checking a hold-out against.
        if source == .syntheticRegression || source == .syntheticClassification {
            guard (1...DataLimits.points).contains(samples), (0..<1).contains(testFraction) else { return nil }
        }
        // A size below 1, or a size and a fraction both, are refused on their own terms.
        if let size = validationSize { return size >= 1 && validationFraction == nil ? ("validation_size", size, trainSplit) : nil }
        if let fraction = validationFraction, fraction > 0, fraction < 1 {
            return ("validation_fraction", RandomSelection.testCount(of: trainSplit, fraction: fraction), trainSplit)
        }
        return nil
    }
}
