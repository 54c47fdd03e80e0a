/// The optimizer's memory between steps: a value type owned by one run.
public struct UpdateState: Sendable, Equatable {
    /// Steps taken so far (Adam's bias correction uses step + 1 during a step).
    public internal(set) var step: Int
    /// Momentum buffer (SGD with momentum), empty otherwise.
    public internal(set) var momentum: [Float]
    /// Adam's first and second moments, empty otherwise.
    public internal(set) var firstMoment: [Float]
    public internal(set) var secondMoment: [Float]
    /// AMSGrad's running maximum of the second moment, empty otherwise.
    public internal(set) var maximumSecondMoment: [Float]

    init(parameterCount: Int, stages: [UpdateStage]) {
        step = 0
        momentum = []
        firstMoment = []
        secondMoment = []
        maximumSecondMoment = []
        for stage in stages {
            switch stage {
            case .traceMomentum:
                momentum = [Float](repeating: 0, count: parameterCount)
            case .scaleByAdam(_, _, _, let amsgrad):
                firstMoment = [Float](repeating: 0, count: parameterCount)
                secondMoment = [Float](repeating: 0, count: parameterCount)
                if amsgrad { maximumSecondMoment = [Float](repeating: 0, count: parameterCount) }
            default:
                break
            }
        }
    }
}
