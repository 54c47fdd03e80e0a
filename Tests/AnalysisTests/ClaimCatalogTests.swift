import Analysis
import Foundation
import XCTest

/// The claims' rules live in the code and in the README; this keeps the two the same.
final class ClaimCatalogTests: XCTestCase {
    func testEveryClaimAndItsRuleAreInTheReadmeWordForWord() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for claim in Claim.catalog {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("| `\(claim.id)` |") }) else {
                XCTFail("README.md lacks a row for \(claim.id)")
                continue
            }
            XCTAssertTrue(line.contains(claim.rule.text), "README.md's rule for \(claim.id) differs from the code's: \(claim.rule.text)")
            XCTAssertTrue(line.contains(claim.statistic), "README.md's statistic for \(claim.id) differs from the code's")
        }
    }

    func testClaimIdsAreUnique() {
        XCTAssertEqual(Set(Claim.catalog.map(\.id)).count, Claim.catalog.count)
    }
}
