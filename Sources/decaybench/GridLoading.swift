import Harness

/// Reads a grid file for `plan` and `run`, turning its problems into one clear message.
enum GridLoading {
    static func plan(path: String) throws -> GridPlan {
        do {
            return GridPlan(try GridFile.load(path: path))
        } catch let error as GridFileError {
            throw HarnessError("\(path) has \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"):\n\(error)")
        }
    }
}
