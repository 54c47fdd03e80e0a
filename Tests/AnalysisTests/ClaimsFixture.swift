import Analysis
import Datasets
import Foundation
import Models
import Optimization
import Planning
import Results
import Training
import XCTest

/// Builds results files with known answers for the claims' verdict rules.
struct ClaimsFixture {
    var records: [RunRecord] = []
    var seeds: [UInt64] = [0, 1, 2]
    /// With a validation split, runs choose on `error` (validation) and report `error + testOffset(error)`.
    var validationSplit = false
    var testOffset: (Double) -> Double = { _ in 0 }

    /// Adds one run per seed of a cell whose final selection and test error are `error(seed)`.
    mutating func add(optimizer: OptimizerSpec.Kind = .adam, penalty: RegularizationSpec.Penalty, lambda: Double, lr: Double,
                      convention: RegularizationSpec.DecayConvention = .paper, normalized: Bool = false, epochs: Int = 2,
                      schedule: ScheduleSpec = ScheduleSpec(kind: .cosine), includeBiases: Bool = false,
                      weightNorm: Double = 1, trainError: Double = 0.01,
                      parameters: (UInt64) -> [RunRecord.NamedTensor] = { _ in [] },
                      status: (UInt64) -> RunRecord.RecordStatus = { _ in .finished },
                      curve: ((UInt64, Int) -> Double)? = nil,
                      error: (UInt64) -> Double) {
        for seed in seeds {
            let configuration = RunConfiguration(
                data: DataSpec(source: .syntheticClassification, features: 3, classes: 2, validationFraction: validationSplit ? 0.2 : nil),  // the shapes of `ClaimsTests.tensors`
                model: ModelSpec(kind: .softmax),
                optimizer: OptimizerSpec(kind: optimizer, learningRate: lr),
                regularization: RegularizationSpec(penalty: penalty, lambda: lambda, decayConvention: convention,
                                                   normalized: normalized, includeBiases: includeBiases),
                schedule: schedule, training: TrainingSpec(epochs: epochs, seed: seed))
            let run = PlannedRun(index: records.count, block: 0, coordinates: PlannedRun.standardCoordinates(of: configuration),
                                 configuration: configuration)
            let state = status(seed)
            let count = state == .diverged ? 1 : epochs
            let epochRecords = (1...count).map { number -> EpochRecord in
                let value = curve?(seed, number) ?? (number == epochs ? error(seed) : 0.9)
                let test = validationSplit ? value + testOffset(value) : value
                return EpochRecord(epoch: number, multiplier: 1, trainLoss: 0.1, testLoss: 0.2, trainError: trainError,
                                   testError: state == .diverged ? .nan : test, weightNorm: weightNorm, seconds: 0.01,
                                   validationLoss: 0.2, validationError: state == .diverged || !validationSplit ? .nan : value)
            }
            records.append(RunRecord(run: run, status: state, message: "", epochs: epochRecords,
                                     parameters: parameters(seed), effectiveLambda: lambda, seconds: 0.1))
        }
    }

    /// Writes the runs to a results file in `directory` and reads the claims back from it.
    func claims(in directory: URL, name: String = "fixture.h5") throws -> ClaimsTable {
        let path = directory.appendingPathComponent(name).path
        let metadata = ResultsFile.Metadata(kind: "grid", commandLine: "test", jobs: 1, blasThreads: 1, startedUTC: Date(),
                                            finishedUTC: Date(), complete: true, provenance: Self.provenance)
        try ResultsFile.write(records: records, plan: nil, metadata: metadata, to: path)
        return try ClaimsTable.read(paths: [path])
    }

    static let provenance = Provenance(
        harnessVersion: "9.9.9", gitCommit: "0123abcd", swiftVersion: "6.3", hdf5Version: "1.10.8",
        openBLASConfiguration: "OpenBLAS 0.3.21", blasCoreName: "Testcore", cpu: "Fixture CPU", logicalCores: 7,
        hostName: "fixture-host", openBLASEnvironment: "")

    /// A small per-seed offset that moves every cell alike, so seeds differ but choices do not.
    static func jitter(_ seed: UInt64) -> Double { 0.001 * Double(seed) }
}

extension ClaimsTable {
    /// The results of one claim.
    func results(_ id: String) -> [ClaimResult] {
        results.filter { $0.claim.id == id }
    }

    /// The verdicts of one claim, in order.
    func verdicts(_ id: String) -> [Verdict] {
        results(id).map(\.verdict)
    }
}
