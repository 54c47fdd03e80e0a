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

    /// A grid stored in a results file (`source` names the file in messages).
    static func plan(text: String, source: String) throws -> GridPlan {
        do {
            return try GridFile.parse(text: text, fileName: source)
        } catch let error as GridFileError {
            throw CommandFailure("the grid stored in \(source) has \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"):\n\(error)")
        }
    }
}
