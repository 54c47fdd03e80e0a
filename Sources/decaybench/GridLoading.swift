import Harness

/// Reads a grid file for `plan` and `run`, turning its problems into one clear message.
///
/// Both commands read grids here, so both make the same checks: the file, the number of
/// runs (before anything is expanded), every run's settings and sizes.
enum GridLoading {
    static func plan(path: String, allowingLargeGrids: Bool) throws -> GridPlan {
        do {
            return GridPlan(try GridFile.load(path: path, allowingLargeGrids: allowingLargeGrids))
        } catch let error as GridFileError {
            throw HarnessError.input("\(path) has \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"):\n\(error)")
        }
    }
}
