import CCPUFeatures
import XCTest

final class ProcessorFeaturesTests: XCTestCase {
    /// The AVX2 builds are compiled for Haswell, so they run only where the kernel reports every
    /// instruction set that brings, not AVX2 alone (`abm` is how Linux names LZCNT).
    func testTheAVX2BuildsRunWhereTheProcessorHasEveryHaswellInstructionSet() throws {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            throw XCTSkip("no /proc/cpuinfo flags to compare with")
        }
        let words = Set(flags.split(separator: " ").map(String.init))
        let haswell = ["avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt"]
        XCTAssertEqual(ccpufeatures_runs_haswell_builds(), haswell.allSatisfy(words.contains),
                       "flags present: \(haswell.filter(words.contains))")
    }
}
