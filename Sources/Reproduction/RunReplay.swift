import Datasets
import Foundation
import HDF5Store
import Results
import TensorMath
import Training

/// Trains a stored run again from its results file alone.
public enum RunReplay {
    /// Rebuilds `stored`'s configuration and trains it, as the grid did: same data (from the
    /// recorded paths), same OpenBLAS thread count, final tensors kept.
    /// - Parameter datasets: data sets already loaded, by specification (a verify reuses them).
    /// - Throws: when the configuration was altered, is of a format this build cannot rerun
    ///   the old way, or its data cannot be loaded.
    public static func rerun(_ stored: StoredRun, datasets: inout [DataSpec: Dataset]) throws -> RunRecord {
        guard stored.configurationProblems.isEmpty else {
            throw ReproductionError("the stored configuration of run \(stored.key) was altered, so a rerun cannot check it:\n  "
                                    + stored.configurationProblems.joined(separator: "\n  "), storedRunAltered: true)
        }
        let configuration = stored.record.run.configuration
        try ConfigurationFormat.check(stored.configurationFormat, configuration: configuration)
        let dataset: Dataset
        if let loaded = datasets[configuration.data] {
            dataset = loaded
        } else {
            do {
                dataset = try DatasetLoader.load(configuration.data)
            } catch {
                throw ReproductionError("cannot load the data of run \(stored.key): \(error)")
            }
            datasets[configuration.data] = dataset
        }
        if let problem = BLAS.addressSpaceProblem(threads: configuration.training.blasThreads,
                                                  limit: ProcessMemory.addressSpaceLimit, inUse: ProcessMemory.addressSpaceInUse,
                                                  countsAreFixed: true) {
            throw ReproductionError("cannot rerun run \(stored.key) with the \(configuration.training.blasThreads) BLAS threads it was computed with: \(problem)")
        }
        BLAS.setThreadCount(configuration.training.blasThreads)
        let result = Trainer.run(configuration, on: dataset)
        return RunRecord(run: stored.record.run, result: result, keepParameters: true)
    }
}
