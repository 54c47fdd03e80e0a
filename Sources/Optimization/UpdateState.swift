/// The optimizer's memory between steps: a value type owned by one run.
///
/// It holds the state vectors every stage of a chain declared, stage after stage, each one
/// parameter long, in one allocation; only the stage that declared a vector reads or writes it.
public struct UpdateState: Sendable, Equatable {
    /// Steps taken so far.
    public internal(set) var step: Int
    /// The stages' vectors, back to back.
    var vectors: [Float]
    /// For each stage, where its first vector starts in `vectors`.
    let vectorStarts: [Int]
    /// The length of each vector.
    let parameterCount: Int

    init(parameterCount: Int, stages: [any UpdateStage]) {
        var starts: [Int] = [], total = 0
        for stage in stages {
            starts.append(total * parameterCount)
            total += stage.stateVectors.count
        }
        step = 0
        vectors = [Float](repeating: 0, count: total * parameterCount)
        vectorStarts = starts
        self.parameterCount = parameterCount
    }
}
