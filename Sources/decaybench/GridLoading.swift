import GridFiles
import Planning

/// Reads a grid file for `plan` and `run`, turning its problems into one clear message.
enum GridLoading {
    static func plan(path: String) throws -> GridPlan {
        do {
            return try GridFile.load(path: path)
        } catch let error as GridFileError {
            throw CommandFailure("\(path) has \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"):\n\(error)")
        }
    }
}
