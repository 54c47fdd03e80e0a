/// One step of an update chain: it turns the running update vector into the next.
///
/// Named optimizers are chains of these (after Optax): Adam with an L2 penalty puts
/// `addL2Gradient` before `scaleByAdam`; AdamW puts `addDecoupledDecay` after it. The
/// difference between the two is nothing more than where that stage sits.
public enum UpdateStage: Hashable, Sendable {
    /// u ← u + λ·w on the masked parameters: the gradient of (λ/2)·‖w‖² (coupled).
    case addL2Gradient
    /// u ← u + λ·sign(w), sign(0) = 0: a subgradient of λ·‖w‖₁ (coupled).
    case addL1Subgradient
    /// PyTorch's momentum buffer (dampening 0): b ← μ·b + u (b₁ = u);
    /// u ← b, or u ← u + μ·b with Nesterov.
    case traceMomentum(momentum: Float, nesterov: Bool)
    /// Adam's preconditioner: u ← m̂ / (√v̂ + ε), with m, v the bias-corrected moments of u.
    /// With `amsgrad`, v is replaced by its running maximum (PyTorch's form: the maximum of
    /// the uncorrected v, corrected at the current step).
    case scaleByAdam(beta1: Double, beta2: Double, epsilon: Double, amsgrad: Bool)
    /// u ← u + λ_t·w on the masked parameters: decay decoupled from the gradient.
    /// With `scaledBySchedule` the term is multiplied by η_t (paper convention, placed
    /// after the learning rate); otherwise it is scaled by whatever follows (PyTorch).
    case addDecoupledDecay(scaledBySchedule: Bool)
    /// u ← α·η_t·u.
    case scaleByLearningRate(Double)
}
