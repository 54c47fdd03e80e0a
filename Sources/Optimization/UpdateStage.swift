/// One step of an update chain: it turns the running update u into the next, block by block.
///
/// Named optimizers are chains of these (after Optax's gradient transformations): Adam with
/// an L2 penalty puts `AddL2Gradient` before `ScaleByAdam`; AdamW puts `AddDecoupledDecay`
/// after it. The difference between the two is nothing more than where that stage sits.
///
/// A stage owns its state: it names the per-parameter vectors it keeps between steps, and
/// the chain allocates them (zero before the first step) and hands the stage its own slice
/// of them with every block. Adding a stage means adding one type that conforms here.
///
/// The chain runs all its stages on one cache-sized block before moving to the next, so a
/// stage sees a block, never the whole vector; elements never depend on one another, so this
/// computes exactly what one pass per stage over the whole vector would.
public protocol UpdateStage: Hashable, Sendable {
    /// The numbers a stage derives once per step (bias corrections, η_t·λ, …). Plain values
    /// only: the chain keeps them in fixed slots of `UpdateChain.constantsSlotSize` bytes, so
    /// that a step allocates nothing.
    associatedtype Constants: BitwiseCopyable

    /// Names of the per-parameter vectors kept between steps, in the order `UpdateBlock.state`
    /// numbers them; empty for a stage without memory.
    var stateVectors: [String] { get }

    /// This step's constants, computed once before any block.
    func constants(at step: UpdateStep) -> Constants

    /// u ← stage(u) on one block.
    func update(_ block: UpdateBlock, _ constants: Constants)
}

extension UpdateStage {
    public var stateVectors: [String] { [] }
}

// What the chain needs to run a stage it holds as `any UpdateStage`: its constants go through
// an untyped slot between `constants(at:)` and the blocks.
extension UpdateStage {
    static var constantsFitASlot: Bool {
        MemoryLayout<Constants>.size <= UpdateChain.constantsSlotSize
            && MemoryLayout<Constants>.alignment <= UpdateChain.constantsSlotAlignment
    }

    func storeConstants(at step: UpdateStep, into slot: UnsafeMutableRawPointer) {
        slot.storeBytes(of: constants(at: step), as: Constants.self)
    }

    func update(_ block: UpdateBlock, constantsIn slot: UnsafeRawPointer) {
        update(block, slot.load(as: Constants.self))
    }
}
