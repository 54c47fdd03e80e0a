import CCPUFeatures
import UpdateKernels
import UpdateKernelsAVX2

/// Which build of the element-wise update loops (`UpdateKernels.UpdateLoops`) a chain runs.
///
/// The two builds are one Swift source compiled for baseline x86-64 and for AVX2: the same
/// operations on every element in the same order, so the choice changes the speed, never a bit.
/// Adam's step takes about 0.6 of the baseline build's time in the AVX2 one.
public enum UpdateLoopsBuild: Sendable, CaseIterable {
    case baseline
    case avx2

    /// The widest build this processor runs, asked once per process.
    public static let widestAvailable: UpdateLoopsBuild = ccpufeatures_runs_haswell_builds() ? .avx2 : .baseline

    /// Every build this processor runs.
    public static var available: [UpdateLoopsBuild] { allCases.filter { $0 == .baseline || widestAvailable == .avx2 } }

    var loops: any ElementwiseUpdateLoops.Type {
        switch self {
        case .baseline: return UpdateKernels.UpdateLoops.self
        case .avx2: return UpdateKernelsAVX2.UpdateLoops.self
        }
    }
}

/// What the stages call: the loops of either build, through one interface.
protocol ElementwiseUpdateLoops {
    static func addScaled(_ u: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>, scale: Float, count: Int)
    static func addScaledSign(_ u: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>, lambda: Float, count: Int)
    static func scale(_ u: UnsafeMutablePointer<Float>, by scale: Float, count: Int)
    static func subtract(_ u: UnsafePointer<Float>, from theta: UnsafeMutablePointer<Float>, count: Int)
    static func traceMomentum(_ buffer: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, momentum: Float, count: Int)
    static func adam(
        _ u: UnsafeMutablePointer<Float>, firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float,
        correction2Root: Float, epsilon: Float, inverseCorrection1: Float, count: Int)
    static func fusedAdam(
        _ u: UnsafeMutablePointer<Float>, parameters theta: UnsafeMutablePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        l2: Float?, oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float,
        correction2Root: Float, epsilon: Float, inverseCorrection1: Float,
        decayBeforeRate: Float?, rate: Float, decayAfterRate: Float?, clearingUpdate: Bool, count: Int)
    static func amsgrad(
        _ u: UnsafeMutablePointer<Float>, firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        maximumSecondMoment vMax: UnsafeMutablePointer<Float>, oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float,
        correction2Root: Float, epsilon: Float, inverseCorrection1: Float, count: Int)
}

extension UpdateKernels.UpdateLoops: ElementwiseUpdateLoops {}
extension UpdateKernelsAVX2.UpdateLoops: ElementwiseUpdateLoops {}
