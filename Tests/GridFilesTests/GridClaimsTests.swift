import GridFiles
import Planning
import XCTest

/// `claims:`, the list of claims a grid was designed to test.
final class GridClaimsTests: XCTestCase {
    static let known = ["generalization-adamw", "adam-l2-gains-little", "weight-norm-falls"]

    func grid(claims: String?) -> String {
        """
        name: study
        \(claims.map { "claims: \($0)\n" } ?? "")dataset: {name: synthetic-classification}
        model: {kind: softmax}
        optimizer: {kind: adam, lr: 0.001}
        training: {epochs: 2}
        grid:
          penalty: [l2, decoupled]
        """
    }

    func problems(_ text: String, known: [String]? = GridClaimsTests.known) -> [String] {
        do {
            _ = try GridFile.parse(text: text, fileName: "grid.yaml", knownClaims: known)
            return []
        } catch let error as GridFileError {
            return error.problems.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func testDeclaredClaimsAreReadInOrderAndLeaveTheRunsAndTheCanonicalFormAlone() throws {
        let plain = try GridFile.parse(text: grid(claims: nil), fileName: "grid.yaml", knownClaims: Self.known)
        let declaring = try GridFile.parse(text: grid(claims: "[weight-norm-falls, generalization-adamw]"), fileName: "grid.yaml",
                                           knownClaims: Self.known)
        XCTAssertEqual(plain.claims, [])
        XCTAssertEqual(declaring.claims, ["weight-norm-falls", "generalization-adamw"])
        // Declaring claims later describes the same runs: a results file written before resumes.
        XCTAssertEqual(declaring.canonicalText, plain.canonicalText)
        XCTAssertEqual(declaring.differences(fromStored: plain.canonicalText), [])
        XCTAssertEqual(declaring.runs.map(\.key), plain.runs.map(\.key))
    }

    func testUnknownRepeatedAndMalformedClaimsAreReportedWhereTheyAre() {
        XCTAssertEqual(problems(grid(claims: "[generalisation-adamw]")), [
            "grid.yaml:2:10: claims[0]: unknown claim 'generalisation-adamw'; did you mean 'generalization-adamw'?; "
                + "`decaybench claims --list` lists them",
        ])
        XCTAssertEqual(problems(grid(claims: "[weight-norm-falls, weight-norm-falls]")), [
            "grid.yaml:2:29: claims[1]: claim 'weight-norm-falls' is listed twice",
        ])
        XCTAssertEqual(problems(grid(claims: "weight-norm-falls")), [
            "grid.yaml:2:9: claims: expected a list of claim ids such as [generalization-adamw], found the string 'weight-norm-falls'",
        ])
        XCTAssertEqual(problems(grid(claims: "[{a: 1}]")), [
            "grid.yaml:2:10: claims[0]: expected a claim id, found a mapping",
        ])
    }

    func testAGridReadBackFromAResultsFileAcceptsClaimsThisBuildDoesNotKnow() throws {
        // A results file may come from a build with other claims; reading it must not fail.
        let plan = try GridFile.parse(text: grid(claims: "[a-claim-from-elsewhere]"), fileName: "stored")
        XCTAssertEqual(plan.claims, ["a-claim-from-elsewhere"])
    }

    func testClaimsBelongToTheFirstDocumentAndAreDeclaredOnce() {
        let second = """
            ---
            name: study
            claims: [adam-l2-gains-little]
            dataset: {name: synthetic-classification}
            model: {kind: softmax}
            optimizer: {kind: adam, lr: 0.01}
            training: {epochs: 2}
            grid:
              penalty: [l2]
            """
        XCTAssertEqual(problems(grid(claims: "[weight-norm-falls]") + "\n" + second), [
            "grid.yaml:11:9: claims: claims differ from the first document's; a file declares its claims once",
        ])
        XCTAssertEqual(problems(grid(claims: nil) + "\n" + second), [
            "grid.yaml:10:9: claims: claims belongs in the first document",
        ])
    }
}
