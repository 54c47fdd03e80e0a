// Times one optimizer step of the update chain on the MLP 784-256-256-10's parameters and
// prints nanoseconds per parameter per step (median of repetitions, contenders alternated),
// plus a checksum of the final parameters so that two builds can be compared bit for bit. Each
// chain runs with every build of the element-wise loops the processor has (baseline x86-64,
// AVX2), alternated, and the ratio of the two is printed; a chain that `apply` runs as one loop
// (the Adam chains) also runs stage by stage, and the ratio of the two is printed too. All
// checksums of a chain must be equal: where they differ, it says which chain and exits with
// status 1 (`make test` runs it on a few steps, because the tests are built without
// optimization and so never run the vectorised loops).
//
//     swift build -c release --product UpdateChainBenchmark
//     .build/release/UpdateChainBenchmark [repetitions] [steps] [name filter]
//
// For instruction counts, which a busy machine does not disturb:
//     valgrind --tool=callgrind .build/release/UpdateChainBenchmark 1 20 adamw
// and read the inclusive count of `UpdateChain.apply` with callgrind_annotate --inclusive=yes.
import Foundation
import Optimization
import TensorMath

@main
struct UpdateChainBenchmark {
    static func main() {
        /// The MLP 784-256-256-10's layout: each layer's weights, then its biases.
        let layers = [(784, 256), (256, 256), (256, 10)]
        var weightRanges: [Range<Int>] = []
        var parameterCount = 0
        for (inputs, outputs) in layers {
            weightRanges.append(parameterCount..<(parameterCount + inputs * outputs))
            parameterCount += inputs * outputs + outputs
        }

        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let repetitions = arguments.first ?? 7
        let steps = arguments.dropFirst().first ?? 100

        let filter = CommandLine.arguments.dropFirst().first { Int($0) == nil }
        let allContenders: [(String, OptimizerSpec, RegularizationSpec)] = [
            ("sgd", OptimizerSpec(kind: .sgd, learningRate: 0.05), RegularizationSpec()),
            ("sgd-momentum + l2", OptimizerSpec(kind: .sgdMomentum, learningRate: 0.05), RegularizationSpec(penalty: .l2, lambda: 1e-4)),
            ("sgdw-nesterov", OptimizerSpec(kind: .sgdNesterov, learningRate: 0.05), RegularizationSpec(penalty: .decoupled, lambda: 1e-4)),
            ("adam + l2", OptimizerSpec(kind: .adam), RegularizationSpec(penalty: .l2, lambda: 1e-4)),
            ("adamw (torch)", OptimizerSpec(kind: .adam), RegularizationSpec(penalty: .decoupled, lambda: 1e-2)),
            ("adamw (paper)", OptimizerSpec(kind: .adam), RegularizationSpec(penalty: .decoupled, lambda: 1e-5, decayConvention: .paper)),
            ("amsgrad + l1", OptimizerSpec(kind: .amsgrad), RegularizationSpec(penalty: .l1, lambda: 1e-5)),
        ]
        // A filter picks the contender of that exact name, else every name containing it.
        let exact = allContenders.filter { $0.0 == filter }
        let contenders = !exact.isEmpty ? exact : allContenders.filter { filter == nil || $0.0.contains(filter!) }

        var random = DeterministicRandom(seed: 1, stream: "benchmark")
        let initialParameters = (0..<parameterCount).map { _ in Float(random.nextNormal() * 0.05) }
        let gradients = (0..<4).map { _ in (0..<parameterCount).map { _ in Float(random.nextNormal() * 0.01) } }

        /// Runs `steps` steps from the same start; returns seconds spent in `apply` and the parameters.
        func timedRun(_ optimizer: OptimizerSpec, _ regularization: RegularizationSpec, _ variant: Variant,
                      steps: Int) -> (Double, [Float]) {
            var chain = UpdateChain.make(optimizer: optimizer, regularization: regularization,
                                         learningRate: optimizer.learningRate, regularizedRanges: weightRanges)
            chain.fusionEnabled = variant.oneLoop
            var state = chain.makeState(parameterCount: parameterCount)
            var parameters = initialParameters
            var gradient = gradients[0]
            var seconds = 0.0
            for step in 0..<steps {
                // The chain overwrites the gradient with the update: refill it outside the timed part.
                gradient.withUnsafeMutableBufferPointer { g in
                    gradients[step % gradients.count].withUnsafeBufferPointer { source in
                        g.baseAddress!.update(from: source.baseAddress!, count: parameterCount)
                    }
                }
                let context = StepContext(multiplier: 1 - Double(step) / Double(2 * steps), lambda: regularization.lambda)
                let start = DispatchTime.now().uptimeNanoseconds
                parameters.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeMutableBufferPointer { g in
                        chain.apply(parameters: p, gradient: g, state: &state, context: context, build: variant.build)
                    }
                }
                seconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            }
            return (seconds, parameters)
        }

        func checksum(_ values: [Float]) -> String {
            let hash = StableHash.fnv1a64(bytes: values.flatMap { v -> [UInt8] in
                let bits = v.bitPattern
                return [UInt8(bits & 0xff), UInt8((bits >> 8) & 0xff), UInt8((bits >> 16) & 0xff), UInt8(bits >> 24)]
            })
            return String(hash, radix: 16)
        }

        let builds = UpdateLoopsBuild.available
        let runs = contenders.flatMap { contender in
            let (_, optimizer, regularization) = contender
            let hasSingleLoop = UpdateChain.make(optimizer: optimizer, regularization: regularization,
                                                 learningRate: optimizer.learningRate, regularizedRanges: weightRanges).hasSingleLoop
            return builds.flatMap { build in
                (hasSingleLoop ? [true, false] : [false]).map { (contender, Variant(build: build, oneLoop: $0)) }
            }
        }
        print("update chain: \(parameterCount) parameters, \(steps) steps, median of \(repetitions), loops built for \(builds.map { "\($0)" }.joined(separator: ", "))")
        for ((_, optimizer, regularization), variant) in runs { _ = timedRun(optimizer, regularization, variant, steps: 10) }  // warm-up
        var samples = [[Double]](repeating: [], count: runs.count)
        var sums = [String](repeating: "", count: runs.count)
        for _ in 0..<repetitions {
            for (index, ((_, optimizer, regularization), variant)) in runs.enumerated() {
                let (seconds, parameters) = timedRun(optimizer, regularization, variant, steps: steps)
                samples[index].append(seconds * 1e9 / Double(steps * parameterCount))
                sums[index] = checksum(parameters)
            }
        }
        var medians: [String: [Variant: Double]] = [:]
        for (index, ((name, _, _), variant)) in runs.enumerated() {
            let sorted = samples[index].sorted()
            medians[name, default: [:]][variant] = sorted[sorted.count / 2]
            let line = "\(name) [\(variant)]".padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: "%6.3f ns/parameter/step (min %6.3f, max %6.3f)  %6.1f µs/step  checksum %@",
                              sorted[sorted.count / 2], sorted.first!, sorted.last!,
                              sorted[sorted.count / 2] * Double(parameterCount) / 1000, sums[index] as NSString)
            print(line)
        }
        for (name, _, _) in contenders {
            let widest = UpdateLoopsBuild.widestAvailable
            if let baseline = medians[name]?[Variant(build: .baseline, oneLoop: false)],
               let avx2 = medians[name]?[Variant(build: .avx2, oneLoop: false)] {
                print(name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "AVX2 ÷ baseline %.3f (stage by stage)", avx2 / baseline))
            }
            if let oneLoop = medians[name]?[Variant(build: widest, oneLoop: true)],
               let stages = medians[name]?[Variant(build: widest, oneLoop: false)] {
                print(name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "one loop ÷ stage by stage %.3f (\(widest))", oneLoop / stages))
            }
        }
        let differing = contenders.map(\.0).filter { name in
            Set(runs.indices.filter { runs[$0].0.0 == name }.map { sums[$0] }).count > 1
        }
        if !differing.isEmpty {
            FileHandle.standardError.write(Data("error: the loop builds or paths give different parameters for \(differing.joined(separator: ", "))\n".utf8))
            exit(1)
        }
    }
}

/// How a chain runs: which build of the element-wise loops, and whether as one loop per block.
struct Variant: Hashable, CustomStringConvertible {
    let build: UpdateLoopsBuild
    let oneLoop: Bool

    var description: String { "\(build), " + (oneLoop ? "one loop" : "stages") }
}
