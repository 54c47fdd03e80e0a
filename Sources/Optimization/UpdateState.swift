import TensorMath

/// The optimizer's memory between steps: a value type owned by one run.
///
/// It holds the state vectors every stage of a chain declared, stage after stage, each one
/// parameter long, in one allocation; only the stage that declared a vector reads or writes it.
public struct UpdateState: Sendable, Equatable {
    /// Steps taken so far.
    public internal(set) var step: Int
    /// The stages' vectors, back to back, each starting on a cache line (`AlignedFloats`).
    var vectors: AlignedFloats
    /// For each stage, where its first vector starts in `vectors`.
    let vectorStarts: [Int]
    /// The length of each vector.
    let parameterCount: Int
    /// From one vector's start to the next: the parameter count rounded up to whole cache
    /// lines, so that every vector starts on one as the parameters and the gradient do.
    var vectorStride: Int { AlignedFloats.wholeLines(parameterCount) }

    init(parameterCount: Int, stages: [any UpdateStage]) {
        let stride = AlignedFloats.wholeLines(parameterCount)
        var starts: [Int] = [], total = 0
        for stage in stages {
            starts.append(total * stride)
            total += stage.stateVectors.count
        }
        step = 0
        vectors = AlignedFloats(repeating: 0, count: total * stride)
        vectorStarts = starts
        self.parameterCount = parameterCount
    }
}
