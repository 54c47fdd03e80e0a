import Analysis
import GridFiles
import Planning

/// Reads a grid file for `plan` and `run`, turning its problems into one clear message.
///
/// Both commands read grids here, so both make the same checks: the file, the number of
/// runs (before anything is expanded), every run's settings and sizes.
enum GridLoading {
    static func plan(path: String, allowingLargeGrids: Bool) throws -> GridPlan {
        do {
            return try GridFile.load(path: path, allowingLargeGrids: allowingLargeGrids,
                                     knownClaims: Claim.catalog.map(\.id))
        } catch let error as GridFileError {
            throw CommandFailure.input("\(path) has \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"):\n\(error)")
        }
    }

    /// A grid stored in a results file (`source` names the file in messages).
    static func plan(text: String, source: String) throws -> GridPlan {
        do {
            return try GridFile.parse(text: text, fileName: source, allowingLargeGrids: true)
        } catch let error as GridFileError {
            throw CommandFailure("the grid stored in \(source) has \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"):\n\(error)")
        }
    }
}
