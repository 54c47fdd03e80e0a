import Analysis
import Foundation
import Optimization
import Results
import XCTest

/// Each claim's verdict on constructed results files whose answer is known, both ways.
final class ClaimsTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decaybench-claims-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    let rates = [1e-4, 1e-3, 1e-2]
    let lambdas = [1e-4, 1e-3, 1e-2, 1e-1, 1]

    /// Best λ = 1e-2 at every lr: a separable surface.
    func separable(_ lr: Double, _ lambda: Double) -> Double {
        0.1 + 0.01 * abs(log10(lr) + 3) + 0.01 * abs(log10(lambda) + 2)
    }

    /// Best λ = 1e-4 / lr: a diagonal basin.
    func diagonal(_ lr: Double, _ lambda: Double) -> Double {
        0.1 + 0.02 * abs(log10(lambda) + log10(lr) + 4) + 0.005 * abs(log10(lr) + 3)
    }

    func addSurface(_ fixture: inout ClaimsFixture, penalty: RegularizationSpec.Penalty, _ surface: (Double, Double) -> Double) {
        for lr in rates {
            for lambda in lambdas {
                let error = surface(lr, lambda)
                fixture.add(penalty: penalty, lambda: lambda, lr: lr) { error + ClaimsFixture.jitter($0) }
            }
        }
    }

    func testASeparableAdamWGridAndADiagonalAdamL2GridReproduceClaim2() throws {
        var fixture = ClaimsFixture()
        addSurface(&fixture, penalty: .decoupled, separable)
        addSurface(&fixture, penalty: .l2, diagonal)
        let claims = try fixture.claims(in: directory)

        XCTAssertEqual(claims.verdicts("separability-adamw-paper"), [.reproduced])
        XCTAssertEqual(claims.results("separability-adamw-paper")[0].finding!.value!, 0, accuracy: 1e-9)
        XCTAssertEqual(claims.verdicts("diagonal-adam-l2"), [.reproduced])
        XCTAssertEqual(claims.results("diagonal-adam-l2")[0].finding!.value!, -1, accuracy: 1e-9)
        XCTAssertEqual(claims.verdicts("separability-additive-adam"), [.reproduced])
    }

    func testADiagonalAdamWGridAndASeparableAdamL2GridRefuteClaim2() throws {
        var fixture = ClaimsFixture()
        addSurface(&fixture, penalty: .decoupled, diagonal)
        addSurface(&fixture, penalty: .l2, separable)
        let claims = try fixture.claims(in: directory)

        XCTAssertEqual(claims.verdicts("separability-adamw-paper"), [.notReproduced])
        XCTAssertEqual(claims.verdicts("diagonal-adam-l2"), [.notReproduced])
        XCTAssertEqual(claims.verdicts("separability-additive-adam"), [.notReproduced])
    }

    /// Adam+L2 (λ = 0 and λ > 0) and AdamW over two learning rates; AdamW's errors are
    /// `advantage` lower than Adam+L2's at the matching cell.
    func generalizationFixture(advantage: Double, validationSplit: Bool = false,
                               testOffset: @escaping (Double) -> Double = { _ in 0 }) -> ClaimsFixture {
        var fixture = ClaimsFixture()
        fixture.validationSplit = validationSplit
        fixture.testOffset = testOffset
        for lr in [1e-3, 3e-3] {
            let base = lr == 1e-3 ? 0.15 : 0.16
            fixture.add(penalty: .l2, lambda: 0, lr: lr) { base + 0.002 + ClaimsFixture.jitter($0) }
            for (lambda, offset) in [(1e-5, 0.001), (1e-4, 0.0), (1e-3, 0.01)] {
                fixture.add(penalty: .l2, lambda: lambda, lr: lr) { base + offset + ClaimsFixture.jitter($0) }
            }
            for (lambda, offset) in [(1e-3, 0.003), (1e-2, 0.0), (1e-1, 0.02)] {
                fixture.add(penalty: .decoupled, lambda: lambda, lr: lr) { base + offset - advantage + ClaimsFixture.jitter($0) }
            }
        }
        return fixture
    }

    func testAFamilyWhoseEveryRunDivergedIsNamedNotJustInconclusive() throws {
        var fixture = ClaimsFixture()
        for lr in [1e-3, 3e-3] {
            for lambda in [0.0, 1e-4] { fixture.add(penalty: .l2, lambda: lambda, lr: lr) { 0.15 + ClaimsFixture.jitter($0) } }
            for lambda in [5.0, 10.0] { fixture.add(penalty: .decoupled, lambda: lambda, lr: lr, status: { _ in .diverged }) { _ in .nan } }
        }
        let claims = try fixture.claims(in: directory)
        XCTAssertEqual(claims.verdicts("generalization-adamw"), [.inconclusive])
        let notes = claims.results("generalization-adamw")[0].finding!.notes
        XCTAssertEqual(notes.filter { $0.hasSuffix("has a finished run to choose: the comparison has no value") }.count, 1, "\(notes)")
    }

    func testUnequalFamiliesReproduceTheGeneralizationClaim() throws {
        let claims = try generalizationFixture(advantage: 0.02).claims(in: directory)
        XCTAssertEqual(claims.verdicts("generalization-adamw"), [.reproduced])
        let finding = claims.results("generalization-adamw")[0].finding!
        XCTAssertEqual(finding.value!, 0.02, accuracy: 1e-6)
        XCTAssertEqual(finding.seeds, 3)
        // λ = 0 is 0.002 worse than the best λ > 0: "Adam gains little from L2" holds.
        XCTAssertEqual(claims.verdicts("adam-l2-gains-little"), [.reproduced])
        XCTAssertEqual(claims.results("adam-l2-gains-little")[0].finding!.value!, 0.002, accuracy: 1e-6)
    }

    func testEqualFamiliesDoNotReproduceTheGeneralizationClaim() throws {
        let claims = try generalizationFixture(advantage: 0).claims(in: directory)
        XCTAssertEqual(claims.verdicts("generalization-adamw"), [.notReproduced])
        XCTAssertEqual(claims.results("generalization-adamw")[0].finding!.value!, 0, accuracy: 1e-6)
    }

    func testADivergedCellIsCountedNotChosenAndNotAveragedIn() throws {
        var fixture = generalizationFixture(advantage: 0.02)
        // The lowest error of all, but seed 1 diverged: the cell must lose to cells without a divergence.
        fixture.add(penalty: .decoupled, lambda: 3e-2, lr: 1e-3, status: { $0 == 1 ? .diverged : .finished }) { _ in 0.01 }
        let claims = try fixture.claims(in: directory)
        let result = claims.results("generalization-adamw")[0]
        XCTAssertEqual(result.finding!.value!, 0.02, accuracy: 1e-6)
        XCTAssertTrue(result.finding!.notes.contains { $0.contains("1 diverged runs counted, not averaged in") }, "\(result.finding!.notes)")
        XCTAssertTrue(result.finding!.notes.contains { $0.contains("best AdamW: λ=0.01 lr=0.001") }, "\(result.finding!.notes)")
        XCTAssertEqual(result.verdict, .reproduced)
    }

    /// Raw λ and λ_norm over budgets; the best raw λ doubles per budget, the best λ_norm
    /// does too when `normalizedDrifts`.
    func normalizedFixture(normalizedDrifts: Bool) -> ClaimsFixture {
        var fixture = ClaimsFixture()
        let raw = [1e-3, 2e-3, 4e-3, 8e-3], normalized = [0.02, 0.04, 0.08, 0.16]
        for (budgetIndex, epochs) in [10, 40, 160].enumerated() {
            for (index, lambda) in raw.enumerated() {
                let error = 0.1 + 0.01 * Double(abs(index - budgetIndex))
                fixture.add(penalty: .decoupled, lambda: lambda, lr: 1e-3, epochs: epochs) { error + ClaimsFixture.jitter($0) }
            }
            for (index, lambda) in normalized.enumerated() {
                let best = normalizedDrifts ? budgetIndex : 1
                let error = 0.1 + 0.01 * Double(abs(index - best))
                fixture.add(penalty: .decoupled, lambda: lambda, lr: 1e-3, normalized: true, epochs: epochs) { error + ClaimsFixture.jitter($0) }
            }
        }
        return fixture
    }

    func testAStableLambdaNormAgainstADriftingRawLambdaReproducesClaim5() throws {
        let claims = try normalizedFixture(normalizedDrifts: false).claims(in: directory)
        XCTAssertEqual(claims.verdicts("normalized-decay"), [.reproduced])
        XCTAssertEqual(claims.results("normalized-decay")[0].finding!.value!, log10(4), accuracy: 1e-9)
    }

    func testADriftingLambdaNormDoesNotReproduceClaim5() throws {
        let claims = try normalizedFixture(normalizedDrifts: true).claims(in: directory)
        XCTAssertEqual(claims.verdicts("normalized-decay"), [.notReproduced], "\(claims.results("normalized-decay").map { ($0.finding?.value, $0.finding?.interval, $0.finding?.notes) })")
    }

    func tensors(_ scale: Float) -> [RunRecord.NamedTensor] {
        [RunRecord.NamedTensor(name: "layer0.weight", shape: [2, 3], values: [1, -2, 3, -4, 5, -6].map { $0 * scale }),
         RunRecord.NamedTensor(name: "layer0.bias", shape: [2], values: [0.5, -0.5])]
    }

    func testEqualWeightsReproduceSGDEquivalenceAndDifferentOnesReproduceAdamsDifference() throws {
        var fixture = ClaimsFixture()
        fixture.add(optimizer: .sgd, penalty: .l2, lambda: 1e-2, lr: 0.1, parameters: { _ in self.tensors(1) }) { _ in 0.2 }
        fixture.add(optimizer: .sgd, penalty: .decoupled, lambda: 1e-3, lr: 0.1, parameters: { _ in self.tensors(1.000_000_1) }) { _ in 0.2 }
        fixture.add(optimizer: .adam, penalty: .l2, lambda: 1e-2, lr: 1e-3, parameters: { _ in self.tensors(1) }) { _ in 0.2 }
        fixture.add(optimizer: .adam, penalty: .decoupled, lambda: 1e-5, lr: 1e-3, parameters: { seed in self.tensors(1.1 + Float(seed) / 100) }) { _ in 0.2 }
        let claims = try fixture.claims(in: directory)
        XCTAssertEqual(claims.verdicts("equivalence-sgd"), [.reproduced])
        XCTAssertEqual(claims.verdicts("equivalence-adam-momentum"), [.reproduced])
        XCTAssertEqual(claims.results("equivalence-adam-momentum")[0].finding!.value!, 0.11, accuracy: 1e-4)
    }

    func testDifferentWeightsRefuteSGDEquivalence() throws {
        var fixture = ClaimsFixture()
        fixture.add(optimizer: .sgd, penalty: .l2, lambda: 1e-2, lr: 0.1, parameters: { _ in self.tensors(1) }) { _ in 0.2 }
        fixture.add(optimizer: .sgd, penalty: .decoupled, lambda: 1e-3, lr: 0.1, parameters: { _ in self.tensors(1.05) }) { _ in 0.2 }
        let claims = try fixture.claims(in: directory)
        XCTAssertEqual(claims.verdicts("equivalence-sgd"), [.notReproduced])
        XCTAssertEqual(claims.verdicts("equivalence-adam-momentum"), [.notRun])
    }

    func testWeightNormFallingWithLambdaReproducesAndRisingRefutes() throws {
        for falling in [true, false] {
            var fixture = ClaimsFixture()
            for (index, lambda) in [0, 1e-4, 1e-3, 1e-2].enumerated() {
                let norm = falling ? 10 - Double(index) : 1 + Double(index)
                fixture.add(penalty: .l2, lambda: lambda, lr: 1e-3, weightNorm: norm, trainError: 0.01 * Double(index)) { 0.2 + ClaimsFixture.jitter($0) }
            }
            let claims = try fixture.claims(in: directory, name: "norm-\(falling).h5")
            XCTAssertEqual(claims.verdicts("weight-norm-falls"), [falling ? .reproduced : .notReproduced])
            // Training error rises by 3 points from λ = 0 to the largest λ either way.
            XCTAssertEqual(claims.verdicts("large-lambda-underfits"), [.reproduced])
        }
    }

    func testAFamilyWithoutItsOwnLambdaZeroBorrowsTheSameComputationFromAnother() throws {
        var fixture = ClaimsFixture()
        fixture.add(penalty: .l2, lambda: 0, lr: 1e-3, weightNorm: 10, trainError: 0) { 0.2 + ClaimsFixture.jitter($0) }
        fixture.add(penalty: .l2, lambda: 1e-4, lr: 1e-3, weightNorm: 9) { 0.2 + ClaimsFixture.jitter($0) }
        for (index, lambda) in [1e-3, 1e-2, 1e-1].enumerated() {
            fixture.add(penalty: .decoupled, lambda: lambda, lr: 1e-3, weightNorm: 5 - Double(index), trainError: 0.05) { 0.2 + ClaimsFixture.jitter($0) }
        }
        let claims = try fixture.claims(in: directory)
        let decoupled = claims.results("large-lambda-underfits").filter { $0.finding?.scope.contains("decoupled") == true }
        XCTAssertEqual(decoupled.map(\.verdict), [.reproduced])
        XCTAssertEqual(decoupled[0].finding!.value!, 0.05, accuracy: 1e-6)
        XCTAssertTrue(decoupled[0].finding!.notes.contains("λ = 0 from the l2 runs (the same computation)"))
    }

    /// Warm-restarts and cosine cells at `rates`; the first rate is the best, the others are
    /// worse by 0.05 at every epoch.
    private func warmRestartsFixture(rates: [Double]) -> ClaimsFixture {
        var fixture = ClaimsFixture()
        let restarts = ScheduleSpec(kind: .warmRestarts, t0: 1, tMult: 2)
        for (index, lr) in rates.enumerated() {
            let worse = index == 0 ? 0 : 0.05
            // Periods end at epochs 1 and 3. Warm restarts: 0.20 at epoch 1, 0.10 at epoch 3.
            fixture.add(penalty: .decoupled, lambda: 1e-2, lr: lr, epochs: 3, schedule: restarts,
                        curve: { seed, epoch in [0.20, 0.30, 0.10][epoch - 1] + worse + ClaimsFixture.jitter(seed) }) { _ in 0.10 + worse }
            // A 3-epoch cosine run is still at 0.40 after epoch 1 and ends at 0.10; a 1-epoch one ends at 0.21.
            fixture.add(penalty: .decoupled, lambda: 1e-2, lr: lr, epochs: 3,
                        curve: { seed, epoch in [0.40, 0.20, 0.10][epoch - 1] + worse + ClaimsFixture.jitter(seed) }) { _ in 0.10 + worse }
            fixture.add(penalty: .decoupled, lambda: 1e-2, lr: lr, epochs: 1,
                        curve: { seed, _ in 0.21 + worse + ClaimsFixture.jitter(seed) }) { _ in 0.21 + worse }
        }
        return fixture
    }

    func testWarmRestartsAgainstCosineAtEachPeriodEnd() throws {
        let claims = try warmRestartsFixture(rates: [1e-3, 1e-2]).claims(in: directory)
        XCTAssertEqual(claims.results("warm-restarts-anytime")[0].finding!.value!, 0.20, accuracy: 1e-6)
        XCTAssertEqual(claims.verdicts("warm-restarts-anytime"), [.reproduced])
        // At epoch 3 only, 0.10 − 0.10: at the first period's end (epoch 1) the warm-restarts run
        // and a 1-epoch cosine run are one schedule, and are not compared.
        let match = claims.results("warm-restarts-match-budgets")[0].finding!
        XCTAssertEqual(match.value!, 0, accuracy: 1e-6)
        XCTAssertEqual(match.notes, ["compared at epochs 3"])
        XCTAssertEqual(claims.verdicts("warm-restarts-match-budgets"), [.reproduced])
    }

    func testWarmRestartsWithOneLearningRateHaveNoBestCellAndNoVerdict() throws {
        // Nothing was searched, so "the best cell" would be the only one: the file does not
        // speak to these claims (it gave verdicts before).
        let claims = try warmRestartsFixture(rates: [1e-3]).claims(in: directory)
        XCTAssertEqual(claims.verdicts("warm-restarts-anytime"), [.notRun])
        XCTAssertEqual(claims.verdicts("warm-restarts-match-budgets"), [.notRun])
    }

    func testAGridThatDeclaresItsClaimsIsReadForThoseAlone() throws {
        let records = generalizationFixture(advantage: 0.02).records
        let undeclared = ClaimsTable(evidence: [ClaimEvidence(name: "open.h5", records: records)])
        // Undeclared, the file answers every claim its runs span, weight norms among them.
        XCTAssertEqual(undeclared.verdicts("generalization-adamw"), [.reproduced])
        XCTAssertNotEqual(undeclared.verdicts("weight-norm-falls"), [.notRun])

        let declared = ClaimsTable(evidence: [ClaimEvidence(name: "study.h5", records: records, declaredClaims: ["generalization-adamw"])])
        XCTAssertEqual(declared.verdicts("generalization-adamw"), [.reproduced])
        XCTAssertEqual(declared.verdicts("adam-l2-gains-little"), [.notRun])
        XCTAssertEqual(declared.verdicts("weight-norm-falls"), [.notRun])
        XCTAssertNil(declared.results("weight-norm-falls")[0].file)
        XCTAssertTrue(declared.markdown.contains("`study.h5` (generalization-adamw)"))

        let everyFile = ClaimsTable(evidence: [ClaimEvidence(name: "study.h5", records: records, declaredClaims: ["generalization-adamw"])],
                                    everyFile: true)
        XCTAssertEqual(everyFile.results.filter { $0.verdict != .notRun }.count,
                       undeclared.results.filter { $0.verdict != .notRun }.count)
        XCTAssertTrue(everyFile.markdown.contains("--every-file"))
    }

    func testADeclaredClaimTheRunsDoNotSpanIsNotRunForThatFile() throws {
        let records = generalizationFixture(advantage: 0.02).records
        let table = ClaimsTable(evidence: [ClaimEvidence(name: "study.h5", records: records,
                                                         declaredClaims: ["generalization-adamw", "equivalence-sgd"])])
        let row = table.results("equivalence-sgd")
        XCTAssertEqual(row.count, 1)
        XCTAssertEqual(row[0].verdict, .notRun)
        XCTAssertEqual(row[0].file, "study.h5")
        XCTAssertTrue(table.markdown.contains("- `study.h5`: not run: its grid declares this claim, but its finished runs do not span what it needs"))
        let json = try JSONSerialization.jsonObject(with: table.json) as! [String: Any]
        let entry = (json["claims"] as! [[String: Any]]).first { $0["id"] as? String == "equivalence-sgd" }!
        XCTAssertEqual(entry["file"] as? String, "study.h5")
        XCTAssertEqual(entry["reason_not_run"] as? String, "its grid declares this claim, but its finished runs do not span what it needs")
        XCTAssertEqual((json["declared_claims"] as! [String: [String]])["study.h5"], ["generalization-adamw", "equivalence-sgd"])
    }

    func testClaimsNoFileSpeaksToAreListedAsNotRunAndTheTablesSaySo() throws {
        let claims = try generalizationFixture(advantage: 0.02).claims(in: directory)
        let notRun = claims.results.filter { $0.verdict == .notRun }
        XCTAssertTrue(notRun.contains { $0.claim.id == "equivalence-sgd" })
        XCTAssertTrue(notRun.contains { $0.claim.id == "warm-restarts-anytime" })
        XCTAssertTrue(notRun.allSatisfy { $0.file == nil && $0.finding == nil })
        // Every claim of the catalog appears, run or not.
        XCTAssertEqual(Set(claims.results.map(\.claim.id)), Set(Claim.catalog.map(\.id)))
        XCTAssertTrue(claims.text.contains("not run"))
        XCTAssertTrue(claims.markdown.contains("- not run: no file given has these runs"))
        let json = try JSONSerialization.jsonObject(with: claims.json) as! [String: Any]
        let entries = json["claims"] as! [[String: Any]]
        XCTAssertEqual(entries.first { $0["id"] as? String == "equivalence-sgd" }?["verdict"] as? String, "not run")
    }

    func testCellsAreChosenOnValidationErrorAndReportTheirTestError() throws {
        // AdamW's best cell on validation (0.13) is 0.05 worse on test: the claim must carry that
        // cell's test error, not a better one chosen on the test split.
        let claims = try generalizationFixture(advantage: 0.02, validationSplit: true) { $0 < 0.1325 ? 0.05 : 0 }.claims(in: directory)
        let result = claims.results("generalization-adamw")[0]
        XCTAssertEqual(result.finding!.value!, -0.03, accuracy: 1e-6)
        XCTAssertEqual(result.verdict, .notReproduced)
        XCTAssertFalse(result.selectedOnTestSplit)
        XCTAssertFalse(claims.text.contains("(selected on the test split)"))
    }

    func testContextsAreLabelledAsGridFilesSpellTheirSettings() throws {
        var fixture = ClaimsFixture()
        for (epochs, biases) in [(2, false), (4, false), (2, true)] {
            for lr in [1e-3, 3e-3] {
                for lambda in [1e-4, 1e-3] {
                    fixture.add(penalty: .l2, lambda: lambda, lr: lr, epochs: epochs, includeBiases: biases) { 0.15 + ClaimsFixture.jitter($0) }
                    fixture.add(penalty: .decoupled, lambda: 10 * lambda, lr: lr, epochs: epochs, includeBiases: biases) { 0.14 + ClaimsFixture.jitter($0) }
                }
            }
        }
        let scopes = try fixture.claims(in: directory).results("generalization-adamw").compactMap { $0.finding?.scope }
        XCTAssertEqual(Set(scopes), ["include_biases=false epochs=2", "include_biases=false epochs=4", "include_biases=true epochs=2"])
    }

    func testAFileWithoutAValidationSplitSaysItSelectedOnTheTestSplit() throws {
        let claims = try generalizationFixture(advantage: 0.02).claims(in: directory)
        let run = claims.results.filter { $0.verdict != .notRun }
        XCTAssertFalse(run.isEmpty)
        XCTAssertTrue(run.allSatisfy(\.selectedOnTestSplit))
        XCTAssertTrue(claims.text.contains("(selected on the test split)"))
    }
}
