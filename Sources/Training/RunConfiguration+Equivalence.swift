import Optimization

extension RunConfiguration {
    /// The configuration with every setting that cannot change a number reset to its
    /// default: Adam's constants for SGD, momentum for Adam and plain SGD, the decay
    /// convention without decoupled decay, λ without a penalty, a penalty with λ = 0,
    /// schedule parameters the schedule does not use.
    ///
    /// Two runs with equal `equivalent`s compute exactly the same numbers; a grid that
    /// holds both pays twice for one result.
    public var equivalent: RunConfiguration {
        var c = self
        let defaults = OptimizerSpec(kind: c.optimizer.kind)
        switch c.optimizer.kind {
        case .sgd:
            c.optimizer.momentum = defaults.momentum
            fallthrough
        case .sgdMomentum, .sgdNesterov:
            (c.optimizer.beta1, c.optimizer.beta2, c.optimizer.epsilon) = (defaults.beta1, defaults.beta2, defaults.epsilon)
        case .adam, .amsgrad:
            c.optimizer.momentum = defaults.momentum
        }
        let penalty = c.regularization.penalty
        if penalty != .normBall && c.regularization.lambda == 0 || penalty == .none {
            c.regularization = RegularizationSpec()
        } else if penalty != .decoupled {
            c.regularization.decayConvention = RegularizationSpec().decayConvention
        }
        let schedule = ScheduleSpec(kind: c.schedule.kind, warmupSteps: c.schedule.warmupSteps)
        var kept = schedule
        switch c.schedule.kind {
        case .constant: break
        case .step: (kept.every, kept.factor) = (c.schedule.every, c.schedule.factor)
        case .exponential: (kept.factor, kept.staircase) = (c.schedule.factor, c.schedule.staircase)
        case .cosine: kept.minimum = c.schedule.minimum
        case .warmRestarts: (kept.minimum, kept.t0, kept.tMult) = (c.schedule.minimum, c.schedule.t0, c.schedule.tMult)
        }
        c.schedule = kept
        return c
    }
}
