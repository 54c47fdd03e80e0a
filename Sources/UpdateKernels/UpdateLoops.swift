import CFloatMath

/// The element-wise loops of the optimizer's update stages, over one block of parameters.
///
/// Each function is one line of an update rule (the stages in `Optimization` say which),
/// written as a plain loop the compiler vectorises. Every element goes through the same IEEE
/// operations in the same order, whatever the vector width: there is no sum across elements,
/// and Swift never fuses a multiply with an add on its own.
///
/// This file is compiled twice: in `UpdateKernels` for baseline x86-64 (SSE2, four lanes) and,
/// through a symbolic link, in `UpdateKernelsAVX2` for processors with AVX2 (eight lanes). Adam's
/// step is bound by its square roots and divisions, which AVX2 does eight at a time; both builds
/// give the same bits. The AVX2 build is made without cross-module optimization (Package.swift),
/// which would otherwise copy these small functions into callers built for baseline x86-64.
public enum UpdateLoops {
    /// u ← u + scale · w (an L2 gradient, decoupled decay, Nesterov's look-ahead).
    public static func addScaled(_ u: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>, scale: Float, count: Int) {
        for i in 0..<count { u[i] += scale * w[i] }
    }

    /// u ← u + λ · sign(w), with sign(0) = 0 (the L1 subgradient).
    public static func addScaledSign(_ u: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>, lambda: Float, count: Int) {
        for i in 0..<count {
            u[i] += w[i] > 0 ? lambda : (w[i] < 0 ? -lambda : 0)
        }
    }

    /// u ← scale · u (the learning rate).
    public static func scale(_ u: UnsafeMutablePointer<Float>, by scale: Float, count: Int) {
        for i in 0..<count { u[i] *= scale }
    }

    /// θ ← θ − u (the step itself).
    public static func subtract(_ u: UnsafePointer<Float>, from theta: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { theta[i] -= u[i] }
    }

    /// b ← μ · b + u (the heavy-ball buffer after its first step).
    public static func traceMomentum(_ buffer: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, momentum: Float, count: Int) {
        for i in 0..<count { buffer[i] = buffer[i] * momentum + u[i] }
    }

    /// One Adam step on u: m ← m + (1 − β₁)(u − m), v ← β₂ v + (1 − β₂) u², then
    /// u ← m / (√v / √(1 − β₂ᵗ) + ε) · 1/(1 − β₁ᵗ), PyTorch's order of operations.
    ///
    /// One loop rather than one for the moments and one for the direction: the square root and
    /// the divisions then overlap the loads of m and v, which come from memory on every step.
    public static func adam(
        _ u: UnsafeMutablePointer<Float>, firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float,
        correction2Root: Float, epsilon: Float, inverseCorrection1: Float, count: Int
    ) {
        for i in 0..<count {
            let g = u[i]
            let mi = m[i] + oneMinusBeta1 * (g - m[i])
            let vi = v[i] * beta2 + oneMinusBeta2 * g * g
            m[i] = mi
            v[i] = vi
            u[i] = mi / (cfloatmath_sqrt(vi) / correction2Root + epsilon) * inverseCorrection1
        }
    }

    /// A whole Adam step in one loop, for the chains made of Adam and its neighbours: on each
    /// element, in this order, exactly the operations of the separate loops (`addScaled` for
    /// the L2 gradient, `adam`, `addScaled` for decay before the rate, `scale`, `addScaled`
    /// for decay after the rate, `subtract`), so the bits are theirs.
    ///
    /// One loop because Adam's waits on its divider: the other stages' loads and arithmetic
    /// fit in those waits, whereas as passes of their own they added a fifth to Adam's time.
    /// A coefficient of nil leaves its term out (a block that is not regularized, or a chain
    /// without it): adding 0·θ instead would turn −0 into +0 and an infinite θ into NaN.
    ///
    /// - Parameter clearingUpdate: leave +0 in u instead of the update, so that the next
    ///   gradient can be added onto it without a pass clearing it first.
    public static func fusedAdam(
        _ u: UnsafeMutablePointer<Float>, parameters theta: UnsafeMutablePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        l2: Float?, oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float,
        correction2Root: Float, epsilon: Float, inverseCorrection1: Float,
        decayBeforeRate: Float?, rate: Float, decayAfterRate: Float?, clearingUpdate: Bool, count: Int
    ) {
        // One specialised loop per combination of terms, so that no loop tests a flag per element.
        @inline(__always) func run(_ hasL2: Bool, _ hasDecayBefore: Bool, _ hasDecayAfter: Bool) {
            fusedAdamLoop(u, theta, m, v, hasL2: hasL2, l2: l2 ?? 0,
                          oneMinusBeta1: oneMinusBeta1, beta2: beta2, oneMinusBeta2: oneMinusBeta2,
                          correction2Root: correction2Root, epsilon: epsilon, inverseCorrection1: inverseCorrection1,
                          hasDecayBefore: hasDecayBefore, decayBefore: decayBeforeRate ?? 0, rate: rate,
                          hasDecayAfter: hasDecayAfter, decayAfter: decayAfterRate ?? 0,
                          clearingUpdate: clearingUpdate, count: count)
        }
        switch (l2 != nil, decayBeforeRate != nil, decayAfterRate != nil) {
        case (false, false, false): run(false, false, false)
        case (true, false, false): run(true, false, false)
        case (false, true, false): run(false, true, false)
        case (false, false, true): run(false, false, true)
        case let (hasL2, hasDecayBefore, hasDecayAfter): run(hasL2, hasDecayBefore, hasDecayAfter)
        }
    }

    @inline(__always)
    private static func fusedAdamLoop(
        _ u: UnsafeMutablePointer<Float>, _ theta: UnsafeMutablePointer<Float>,
        _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        hasL2: Bool, l2: Float, oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float,
        correction2Root: Float, epsilon: Float, inverseCorrection1: Float,
        hasDecayBefore: Bool, decayBefore: Float, rate: Float, hasDecayAfter: Bool, decayAfter: Float,
        clearingUpdate: Bool, count: Int
    ) {
        for i in 0..<count {
            let w = theta[i]
            var g = u[i]
            if hasL2 { g += l2 * w }
            let mi = m[i] + oneMinusBeta1 * (g - m[i])
            let vi = v[i] * beta2 + oneMinusBeta2 * g * g
            m[i] = mi
            v[i] = vi
            var step = mi / (cfloatmath_sqrt(vi) / correction2Root + epsilon) * inverseCorrection1
            if hasDecayBefore { step += decayBefore * w }
            step *= rate
            if hasDecayAfter { step += decayAfter * w }
            theta[i] = w - step
            u[i] = clearingUpdate ? 0 : step
        }
    }

    /// One AMSGrad step: Adam's moments, v_max ← max(v_max, v), then Adam's direction with v_max for v.
    public static func amsgrad(
        _ u: UnsafeMutablePointer<Float>, firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        maximumSecondMoment vMax: UnsafeMutablePointer<Float>, oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float,
        correction2Root: Float, epsilon: Float, inverseCorrection1: Float, count: Int
    ) {
        for i in 0..<count {
            let g = u[i]
            let mi = m[i] + oneMinusBeta1 * (g - m[i])
            let vi = v[i] * beta2 + oneMinusBeta2 * g * g
            let vMaxI = max(vMax[i], vi)
            m[i] = mi
            v[i] = vi
            vMax[i] = vMaxI
            u[i] = mi / (cfloatmath_sqrt(vMaxI) / correction2Root + epsilon) * inverseCorrection1
        }
    }
}
