import Foundation
import XCTest
@testable import TensorMath

final class BLASCoreChoiceTests: XCTestCase {
    func testZen4GetsHaswellsKernelsInsteadOfEveryWideVectorCore() {
        for picked in ["Cooperlake", "SkylakeX", "COOPERLAKE", "sapphirerapids"] {
            XCTAssertEqual(BLASCoreChoice.replacement(forPicked: picked, amdFamily: 25, requested: nil), "Haswell", picked)
        }
    }

    func testOpenBLASsPickStandsEverywhereElse() {
        // Zen 3 (family 25 without AVX-512) gets core Zen; Zen 5 (26) executes 512 bits whole;
        // Intel's processors (no AMD family) run their own AVX-512 kernels at full width.
        XCTAssertNil(BLASCoreChoice.replacement(forPicked: "Zen", amdFamily: 25, requested: nil))
        XCTAssertNil(BLASCoreChoice.replacement(forPicked: "Haswell", amdFamily: 25, requested: nil))
        XCTAssertNil(BLASCoreChoice.replacement(forPicked: "Cooperlake", amdFamily: 26, requested: nil))
        XCTAssertNil(BLASCoreChoice.replacement(forPicked: "Zen", amdFamily: 23, requested: nil))
        XCTAssertNil(BLASCoreChoice.replacement(forPicked: "SkylakeX", amdFamily: nil, requested: nil))
    }

    func testTheUsersOpenBLASCoretypeStandsEvenWhenEmpty() {
        for requested in ["Cooperlake", "Haswell", "", "nonsense"] {
            XCTAssertNil(BLASCoreChoice.replacement(forPicked: "Cooperlake", amdFamily: 25, requested: requested), requested)
        }
    }

    /// The family read by CPUID agrees with the kernel's /proc/cpuinfo (its first processor).
    func testAMDFamilyAgreesWithProcCPUInfo() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            fields[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let family = fields["cpu family"].flatMap { Int($0) }
        try XCTSkipIf(family == nil, "/proc/cpuinfo names no cpu family (not x86-64)")
        XCTAssertEqual(BLASCoreChoice.amdFamily, fields["vendor_id"] == "AuthenticAMD" ? family : nil, "\(fields)")
    }
}
