import Datasets
import Foundation
import HDF5Store
import Models
import Planning
import TensorMath
import Training

/// How long a grid will take, from a short calibration of this machine.
///
/// Times training steps and evaluation of each distinct model shape on random data for about
/// 0.3 s (one BLAS thread, as the workers run), then scales by every run's epochs, training
/// points and evaluated points; and times saving a run (`SavingCost`). Data loading and divergence are
/// not counted: divergent runs stop early, so the estimate errs long.
public struct TimeEstimate: Sendable {
    /// Training and evaluating every run, summed over the workers.
    public let totalSeconds: Double
    /// Writing every finished run's own file: one at a time, while the other workers train.
    public let runFileSeconds: Double
    /// Reading the run files back and writing the results file, after the last run.
    public let assemblySeconds: Double
    public let jobs: Int
    public let calibrationSeconds: Double
    /// Why saving could not be timed (for example, no writable temporary directory); it then counts as free.
    public var savingProblem: String? = nil

    /// A worker waits while its run is written, and the writer takes one run at a time.
    public var wallSeconds: Double {
        max((totalSeconds + runFileSeconds) / Double(jobs), runFileSeconds) + assemblySeconds
    }

    public var text: String {
        String(format: "estimated time: %@ with %d workers (%@ of computing, %@ of saving; calibrated in %.1f s on this machine)",
               Self.duration(wallSeconds), jobs, Self.duration(totalSeconds),
               Self.duration(runFileSeconds + assemblySeconds), calibrationSeconds)
            + (savingProblem.map { "\nnote: saving was not timed and is not counted: \($0)" } ?? "")
    }

    public static func make(for plan: GridPlan, jobs: Int) throws -> TimeEstimate {
        let started = Date()
        BLAS.setThreadCount(1)
        var costs: [String: PointCosts] = [:]  // by model shape
        var countsByData: [DataSpec: (train: Int, heldOut: Int, features: Int, outputs: Int)] = [:]
        var total = 0.0
        for run in plan.runs {
            let configuration = run.configuration
            let counts = try countsByData[configuration.data] ?? pointCounts(configuration.data)
            countsByData[configuration.data] = counts
            let shape = "\(configuration.model.kind)-\(configuration.model.hidden)-\(counts.features)-\(counts.outputs)-\(configuration.training.batchSize ?? -1)"
            if costs[shape] == nil {
                // As `run` checks before its workers start, and before the calibration allocates the model.
                let dataShape = DataShape(trainPoints: counts.train, testPoints: counts.heldOut, features: counts.features, outputs: counts.outputs)
                if let problem = TrainingMemory.addressSpaceProblem(
                    bytesPerRun: TrainingMemory.bytes(of: configuration, on: dataShape), runsAtOnce: max(1, min(jobs, plan.runs.count)),
                    sharedBytes: TrainingMemory.sharedBytes(on: dataShape), blasThreads: configuration.training.blasThreads,
                    who: "the model of run \(run.index)", limit: ProcessMemory.addressSpaceLimit, inUse: ProcessMemory.addressSpaceInUse) {
                    throw RunnerError.input(problem)
                }
                costs[shape] = try calibrate(configuration, features: counts.features, outputs: counts.outputs,
                                             trainingPoints: counts.train)
            }
            // Every epoch trains on the training split and evaluates every split.
            let cost = costs[shape]!
            total += Double(configuration.training.epochs)
                * (cost.training * Double(counts.train) + cost.evaluation * Double(counts.train + counts.heldOut))
        }
        var saving = SavingCost(perRunFile: 0, perRunAssembly: 0)
        var savingProblem: String?
        if let first = plan.runs.first, let counts = countsByData[first.configuration.data] {
            do {
                saving = try SavingCost.calibrate(for: first, features: counts.features, outputs: counts.outputs,
                                                  storesParameters: plan.storesParameters)
            } catch {
                // An estimate is advice: a temporary directory that cannot be written must not stop `plan`.
                savingProblem = "\(error)"
            }
        }
        let runs = Double(plan.runs.count)
        return TimeEstimate(totalSeconds: total, runFileSeconds: runs * saving.perRunFile,
                            assemblySeconds: runs * saving.perRunAssembly, jobs: max(1, min(jobs, plan.runs.count)),
                            calibrationSeconds: Date().timeIntervalSince(started), savingProblem: savingProblem)
    }

    /// Training points, held-out points (validation and test, evaluated every epoch), features
    /// and outputs of a data specification; CSV and HDF5 files are read.
    static func pointCounts(_ data: DataSpec) throws -> (train: Int, heldOut: Int, features: Int, outputs: Int) {
        if let shape = data.shapeWithoutReading {
            return (shape.trainPoints, shape.validationPoints + shape.testPoints, shape.features, shape.outputs)
        }
        // The shape is in the file: load it (once per grid, its size checked before reading).
        let dataset = try DatasetLoader.load(data)
        return (dataset.train.count, dataset.test.count + (dataset.validation?.count ?? 0), dataset.featureCount,
                dataset.task.outputCount)
    }

    /// Seconds per point of one model shape: trained (per epoch) and evaluated.
    struct PointCosts: Equatable {
        var training: Double
        var evaluation: Double
    }

    /// Seconds per training point per epoch, and per evaluated point, for this configuration's model.
    ///
    /// Timed for a while rather than for a few steps: a handful of steps lasts milliseconds, and
    /// one interruption or a processor still raising its clock moved the estimate of one grid
    /// between 19 and 29 s. After a warm-up, steps run in segments of at least
    /// `segmentDuration`; the median segment decides. Evaluation is timed the same way, on its
    /// own: a forward pass is about a third of an MLP's step but half of a softmax
    /// regression's, whose step has no ∂X, and a fixed third underestimated such grids.
    static func calibrate(_ configuration: RunConfiguration, features: Int, outputs: Int, trainingPoints: Int) throws -> PointCosts {
        // A batch never exceeds the training set; calibrate with what a step will really see.
        // At most about 4 million feature values: very wide inputs calibrate on fewer rows.
        let batch = min(configuration.training.batchSize ?? trainingPoints, max(trainingPoints, 1), 4096,
                        max(1, 4_000_000 / max(features, 1)))
        let rows = batch
        var random = DeterministicRandom(seed: 1, stream: "calibration")
        let isRegression = configuration.model.kind == .linear || outputs == 1
        func randomSplit(rows: Int) -> Split {
            let x = (0..<(rows * features)).map { _ in Float(random.nextNormal()) }
            return isRegression
                ? Split(features: x, values: (0..<rows).map { _ in Float(random.nextNormal()) })
                : Split(features: x, labels: (0..<rows).map { Int32($0 % outputs) })
        }
        let train = randomSplit(rows: rows)
        // Evaluation goes through a split in chunks of up to 1,024 rows: timed on one such chunk
        // (fewer rows of very wide inputs), not on a small batch's rows, whose fixed costs weigh more.
        let evaluated = randomSplit(rows: max(1, min(1024, 4_000_000 / max(features, 1))))
        let task: Dataset.Task = isRegression ? .regression : .classification(classes: outputs)
        let empty = task == .regression ? Split(features: [], values: []) : Split(features: [], labels: [])
        let dataset = Dataset(name: "calibration", featureCount: features, task: task, train: train, test: empty)
        let fresh = try TrainingSession(configuration: configuration, dataset: dataset)
        // A minibatch step copies its shuffled rows into the batch buffer first; rows taken in
        // reverse order go the same way. A full batch is read where it lies.
        let order = Array(0..<rows)
        let indices = (configuration.training.batchSize == nil ? order : order.reversed())[...]
        var session = fresh
        let secondsPerStep = medianSeconds { calibrationStep(&session, on: indices, restartingFrom: fresh) }
        var evaluating = fresh  // the initial weights: finite, as a real run's are while it is evaluated
        let secondsPerEvaluation = medianSeconds { _ = evaluating.evaluate(evaluated) }
        return PointCosts(training: secondsPerStep / Double(indices.count),
                          evaluation: secondsPerEvaluation / Double(evaluated.count))
    }

    /// The median over `segments` segments of the seconds one call of `body` takes, after a warm-up.
    static func medianSeconds(of body: () -> Void) -> Double {
        let warmUpStarted = ContinuousClock.now
        repeat { body() } while ContinuousClock.now - warmUpStarted < warmUpDuration
        var secondsPerCall: [Double] = []
        for _ in 0..<segments {
            let started = ContinuousClock.now
            var calls = 0
            repeat {
                body()
                calls += 1
            } while ContinuousClock.now - started < segmentDuration
            secondsPerCall.append((ContinuousClock.now - started) / .seconds(1) / Double(calls))
        }
        return secondsPerCall.sorted()[segments / 2]
    }

    /// One step of a calibration session. A step on random data may diverge, and a diverged
    /// step skips its update (a real run would stop there): the session starts again from
    /// `fresh`, so that every timed step is a whole one.
    /// - Returns: the step's loss.
    @discardableResult
    static func calibrationStep(_ session: inout TrainingSession, on indices: ArraySlice<Int>,
                                restartingFrom fresh: TrainingSession) -> Double {
        let loss = session.step(on: indices)
        if !loss.isFinite { session = fresh }
        return loss
    }

    /// Steps before timing: first touches of the buffers, and time for the clock to rise.
    static let warmUpDuration = Duration.milliseconds(50)
    /// Timed segments per model shape; the median one counts.
    static let segments = 5
    /// The shortest timed segment (one step when a step takes longer).
    static let segmentDuration = Duration.milliseconds(20)

    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.1f s", seconds) }
        if seconds < 90 { return String(format: "%.0f s", seconds) }
        if seconds < 5400 { return String(format: "%.0f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }
}
