import Foundation

/// η_t: the learning-rate multiplier at each step, a pure function of the step.
///
/// Step t (0-based) of a run with S steps per epoch sits at the fractional epoch t/S;
/// every schedule is evaluated there, so cosine and warm restarts move every batch while
/// `step` and staircase `exponential` change at epoch boundaries, as PyTorch's StepLR and
/// ExponentialLR do when stepped once per epoch. Decoupled decay uses the same η_t.
public struct LearningRateSchedule: Hashable, Sendable {
    public let spec: ScheduleSpec
    /// The run's length in epochs (cosine's T).
    public let epochs: Int
    public let stepsPerEpoch: Int

    public init(spec: ScheduleSpec, epochs: Int, stepsPerEpoch: Int) {
        precondition(epochs > 0 && stepsPerEpoch > 0, "a schedule needs at least one epoch and one step")
        self.spec = spec
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
    }

    /// η_t for step t ≥ 0, including any linear warm-up ((t+1)/k over the first k steps).
    public func multiplier(atStep step: Int) -> Double {
        var eta = baseMultiplier(atStep: step)
        if spec.warmupSteps > 0 && step < spec.warmupSteps {
            eta *= Double(step + 1) / Double(spec.warmupSteps)
        }
        return eta
    }

    /// The length in epochs of the period that contains step t: the current warm-restart
    /// period, otherwise the whole run. Normalized decay uses it as T.
    public func periodLength(atStep step: Int) -> Double {
        guard spec.kind == .warmRestarts else { return Double(epochs) }
        return restartPosition(epoch: epoch(ofStep: step)).length
    }

    private func epoch(ofStep step: Int) -> Double {
        Double(step) / Double(stepsPerEpoch)
    }

    private func baseMultiplier(atStep step: Int) -> Double {
        let epoch = epoch(ofStep: step)
        switch spec.kind {
        case .constant:
            return 1
        case .step:
            let wholeEpochs = step / stepsPerEpoch
            return pow(spec.factor, (Double(wholeEpochs) / spec.every).rounded(.down))
        case .exponential:
            let exponent = spec.staircase ? Double(step / stepsPerEpoch) : epoch
            return pow(spec.factor, exponent)
        case .cosine:
            return cosine(position: epoch, length: Double(epochs))
        case .warmRestarts:
            let position = restartPosition(epoch: epoch)
            return cosine(position: position.offset, length: position.length)
        }
    }

    private func cosine(position: Double, length: Double) -> Double {
        spec.minimum + (1 - spec.minimum) * (1 + cos(Double.pi * position / length)) / 2
    }

    /// Where `epoch` falls among the periods T_0, T_0·T_mult, …: (offset into it, its length).
    private func restartPosition(epoch: Double) -> (offset: Double, length: Double) {
        let t0 = spec.t0, multiplier = spec.tMult
        if multiplier == 1 {
            return (epoch.truncatingRemainder(dividingBy: t0), t0)
        }
        // Same closed form as PyTorch's CosineAnnealingWarmRestarts.step(epoch).
        var n = (log(epoch / t0 * (multiplier - 1) + 1) / log(multiplier)).rounded(.down)
        // The logarithm can land a hair below an integer exactly at a restart; step over it.
        if epoch >= t0 * (pow(multiplier, n + 1) - 1) / (multiplier - 1) { n += 1 }
        let start = t0 * (pow(multiplier, n) - 1) / (multiplier - 1)
        return (max(0, epoch - start), t0 * pow(multiplier, n))
    }
}
