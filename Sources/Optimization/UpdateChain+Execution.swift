/// How a chain runs: every stage on one cache-sized block, then the next block.
///
/// One pass per stage over 270k parameters streams u and the state through memory once per
/// stage; a block of `blockSize` floats keeps u, θ and Adam's three vectors in the L1 cache
/// (5 × 4 KiB) while all stages act on it. Each stage's loops are in `UpdateKernels`, simple
/// enough for the compiler to vectorise and built for AVX2 too, and every element goes through
/// the same operations in the same order as it would in one pass per stage, so the numbers are
/// the same to the last bit. The Adam chains go further, one loop per block for all their
/// stages (`FusedAdamChain`), with the same bits again.
extension UpdateChain {
    /// Floats per block.
    static let blockSize = 1024
    /// Bytes set aside for each stage's per-step constants.
    static let constantsSlotSize = 32
    static let constantsSlotAlignment = 16

    /// One optimizer step: θ ← θ − chain(g); `gradient` is used as scratch and holds u after.
    ///
    /// - Parameters:
    ///   - build: which build of the element-wise loops runs the stages; every build gives the
    ///     same bits (tests run each one the processor has).
    ///   - clearingGradient: leave `gradient` all +0 instead of holding u, so that the next
    ///     gradient can be accumulated onto it (`DenseNetwork.lossAndGradient`'s
    ///     `gradientIsZero`) without a pass of its own clearing it.
    ///   - prefetching: rows to ask into the caches while the chain runs, a share after each
    ///     block (the next batch's rows); it changes no value.
    public func apply(
        parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>,
        state: inout UpdateState, context: StepContext, build: UpdateLoopsBuild = .widestAvailable,
        clearingGradient: Bool = false, prefetching prefetch: RowPrefetch? = nil
    ) {
        let count = parameters.count
        precondition(count == gradient.count, "gradient and parameters differ in length")
        precondition(state.parameterCount == count, "the optimizer state was made for \(state.parameterCount) parameters, not \(count)")
        precondition(state.vectorStarts.count == stages.count, "the optimizer state was made for another chain")
        precondition((sortedRegularizedRanges.last?.upperBound ?? 0) <= count, "a regularized range ends past the parameters")
        state.step += 1
        let step = UpdateStep(count: state.step, multiplier: context.multiplier, lambda: context.lambda)
        let stages = self.stages, vectorStarts = state.vectorStarts, vectorStride = state.vectorStride, loops = build.loops
        // Each stage's constants live in its own slot on the stack for the whole step.
        withUnsafeTemporaryAllocation(byteCount: max(1, stages.count) * Self.constantsSlotSize,
                                      alignment: Self.constantsSlotAlignment) { slots in
            let slots = slots.baseAddress!
            for (index, stage) in stages.enumerated() {
                stage.storeConstants(at: step, into: slots + index * Self.constantsSlotSize)
            }
            let fused = fusionEnabled ? fusedAdam : nil
            var rowsRequested = 0
            state.vectors.withUnsafeMutableBufferPointer { vectors in
                forEachBlock(count: count) { range, isRegularized in
                    defer {
                        if let prefetch {
                            let rows = prefetch.rowsDue(afterParameters: range.upperBound, of: count)
                            prefetch.request(rowsRequested..<rows)
                            rowsRequested = rows
                        }
                    }
                    let u = UnsafeMutableBufferPointer(rebasing: gradient[range])
                    let theta = UnsafeMutableBufferPointer(rebasing: parameters[range])
                    if let fused {
                        fused.update(update: u.baseAddress!, parameters: theta.baseAddress!, count: range.count,
                                     isRegularized: isRegularized,
                                     adamState: vectors.baseAddress! + vectorStarts[fused.adamStage] + range.lowerBound,
                                     stateStride: vectorStride, constants: slots, loops: loops, clearingUpdate: clearingGradient)
                        return
                    }
                    for index in stages.indices {
                        let block = UpdateBlock(
                            update: u, parameters: UnsafeBufferPointer(theta), isRegularized: isRegularized,
                            stateStart: vectors.baseAddress.map { $0 + vectorStarts[index] + range.lowerBound },
                            stateStride: vectorStride, loops: loops)
                        stages[index].update(block, constantsIn: slots + index * Self.constantsSlotSize)
                    }
                    loops.subtract(u.baseAddress!, from: theta.baseAddress!, count: theta.count)
                    if clearingGradient { u.update(repeating: 0) }
                }
            }
        }
        projection?.project(parameters, ranges: regularizedRanges)
    }

    /// Calls `body` on consecutive blocks covering 0..<count: none longer than `blockSize`,
    /// none straddling an edge of the regularized ranges.
    private func forEachBlock(count: Int, _ body: (Range<Int>, _ isRegularized: Bool) -> Void) {
        var start = 0, nextRange = 0
        while start < count {
            let segmentEnd: Int, isRegularized: Bool
            if nextRange < sortedRegularizedRanges.count && sortedRegularizedRanges[nextRange].lowerBound <= start {
                segmentEnd = sortedRegularizedRanges[nextRange].upperBound
                isRegularized = true
                nextRange += 1
            } else {
                segmentEnd = nextRange < sortedRegularizedRanges.count ? sortedRegularizedRanges[nextRange].lowerBound : count
                isRegularized = false
            }
            var blockStart = start
            while blockStart < segmentEnd {
                let blockEnd = min(blockStart + Self.blockSize, segmentEnd)
                body(blockStart..<blockEnd, isRegularized)
                blockStart = blockEnd
            }
            start = segmentEnd
        }
    }
}
