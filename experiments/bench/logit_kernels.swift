// Alternatives to the single-layer kernel's logits, timed side by side on Fashion-MNIST's
// 10,000 test images (784 pixel bytes each, 10 outputs): the measurements behind the account
// in results/bench/README.md of why logistic regression stays where it is on Zen 1.
//
//   python3 -c "import gzip; open('/tmp/t10k.bin', 'wb').write(gzip.open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz').read()[16:])"
//   swiftc -O -target-cpu haswell experiments/bench/logit_kernels.swift -o /tmp/logit_kernels && /tmp/logit_kernels /tmp/t10k.bin
//
// Prints the median of 9 rounds of each variant (alternated) and its ratio to the engine's
// kernel, and whether each gives the engine's bits. The variants:
//   engine        four rows scaled from bytes into a buffer, then two outputs per pass (Sources/LinearKernels)
//   engine, FMA   the same with the scaling's last multiply-add fused (equal to b / 255 for all 256 bytes)
//   1 row × 10    one row, all ten outputs per pass, each chunk of eight pixels scaled in registers
//   2 rows × 5    two rows, five outputs per pass, scaled in registers (twice per row)
//   sparse        the row's non-zero pixels only, W transposed, four accumulators (other bits)
//   engine, FMA sums  the engine's kernel with each multiply and add fused (other bits): Zen 1
//                 runs as many multiplies either way, so what it gains is the µops it saves
//   1 row, skip   one row, all ten outputs per pass, only its chunks of eight pixels that are not
//                 all zero (the same bits: a zero chunk adds exact zeros to sums that start at +0)
//   1 row, skip, FMA  the same with fused multiply-adds (other bits)
//   find non-zeros  the sparse kernel's search for the non-zero pixels alone, no arithmetic
// It also checks the fused scaling against `Float(b) / 255` for every byte b, and prints the
// engine's cycles per 64 multiply-adds at a clock given as a second argument (GHz).
import Foundation

typealias Lanes = SIMD8<Float>
let firstFactor: Float = 0x1.01p-8, secondFactor: Float = 0x1.0001p-16
let inputs = 784, outputs = 10

extension SIMD8 where Scalar == Float {
    @inline(__always) init(at pointer: UnsafePointer<Float>) { self = UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self) }
    @inline(__always) func store(at pointer: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Lanes.self) }
}

@inline(__always) func scaled(_ bytes: UnsafePointer<UInt8>, fused: Bool = false) -> Lanes {
    let pixels = UnsafeRawPointer(bytes).loadUnaligned(as: SIMD8<UInt8>.self)
    let y = Lanes(SIMD8<Int32>(truncatingIfNeeded: pixels)) * Lanes(repeating: firstFactor)
    return fused ? y.addingProduct(y, Lanes(repeating: secondFactor)) : y + y * Lanes(repeating: secondFactor)
}

@inline(__always) func laneSum(_ lanes: Lanes) -> Float {
    let four = lanes.lowHalf + lanes.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

func engine(_ bytes: UnsafePointer<UInt8>, rows: Int, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
            _ buffer: UnsafeMutablePointer<Float>, fused: Bool, fusedSums: Bool = false) {
    var r = 0
    while r + 4 <= rows {
        for q in 0..<4 {
            var k = 0
            while k < inputs { scaled(bytes + (r + q) * inputs + k, fused: fused).store(at: buffer + q * inputs + k); k += 8 }
        }
        var j = 0
        while j < outputs {
            let wj = w + j * inputs, vj = w + (j + 1) * inputs
            var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes(), b0 = Lanes(), b1 = Lanes(), b2 = Lanes(), b3 = Lanes()
            var k = 0
            while k < inputs {
                let wk = Lanes(at: wj + k), vk = Lanes(at: vj + k)
                let x0 = Lanes(at: buffer + k), x1 = Lanes(at: buffer + inputs + k)
                let x2 = Lanes(at: buffer + 2 * inputs + k), x3 = Lanes(at: buffer + 3 * inputs + k)
                if fusedSums {
                    a0 = a0.addingProduct(x0, wk); b0 = b0.addingProduct(x0, vk)
                    a1 = a1.addingProduct(x1, wk); b1 = b1.addingProduct(x1, vk)
                    a2 = a2.addingProduct(x2, wk); b2 = b2.addingProduct(x2, vk)
                    a3 = a3.addingProduct(x3, wk); b3 = b3.addingProduct(x3, vk)
                } else {
                    a0 += x0 * wk; b0 += x0 * vk; a1 += x1 * wk; b1 += x1 * vk
                    a2 += x2 * wk; b2 += x2 * vk; a3 += x3 * wk; b3 += x3 * vk
                }
                k &+= 8
            }
            let base = out + r * outputs + j
            base[0] = laneSum(a0); base[1] = laneSum(b0)
            base[outputs] = laneSum(a1); base[outputs + 1] = laneSum(b1)
            base[2 * outputs] = laneSum(a2); base[2 * outputs + 1] = laneSum(b2)
            base[3 * outputs] = laneSum(a3); base[3 * outputs + 1] = laneSum(b3)
            j += 2
        }
        r += 4
    }
}

func oneRowTenOutputs(_ bytes: UnsafePointer<UInt8>, rows: Int, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let row = bytes + r * inputs
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes(), a4 = Lanes()
        var a5 = Lanes(), a6 = Lanes(), a7 = Lanes(), a8 = Lanes(), a9 = Lanes()
        var k = 0
        while k < inputs {
            let x = scaled(row + k)
            a0 += x * Lanes(at: w + k); a1 += x * Lanes(at: w + inputs + k)
            a2 += x * Lanes(at: w + 2 * inputs + k); a3 += x * Lanes(at: w + 3 * inputs + k)
            a4 += x * Lanes(at: w + 4 * inputs + k); a5 += x * Lanes(at: w + 5 * inputs + k)
            a6 += x * Lanes(at: w + 6 * inputs + k); a7 += x * Lanes(at: w + 7 * inputs + k)
            a8 += x * Lanes(at: w + 8 * inputs + k); a9 += x * Lanes(at: w + 9 * inputs + k)
            k &+= 8
        }
        let o = out + r * outputs
        o[0] = laneSum(a0); o[1] = laneSum(a1); o[2] = laneSum(a2); o[3] = laneSum(a3); o[4] = laneSum(a4)
        o[5] = laneSum(a5); o[6] = laneSum(a6); o[7] = laneSum(a7); o[8] = laneSum(a8); o[9] = laneSum(a9)
    }
}

/// One bit for each chunk of eight pixels of the row that is not all zero: chunk c in bit c % 64
/// of word c / 64.
@inline(__always) func nonZeroChunks(_ row: UnsafePointer<UInt8>) -> (UInt64, UInt64) {
    var words: (UInt64, UInt64) = (0, 0)
    for chunk in 0..<(inputs / 8) {
        let bit: UInt64 = UnsafeRawPointer(row + chunk * 8).loadUnaligned(as: UInt64.self) != 0 ? 1 : 0
        if chunk < 64 { words.0 |= bit << UInt64(chunk) } else { words.1 |= bit << UInt64(chunk - 64) }
    }
    return words
}

func oneRowSkippingZeroChunks(_ bytes: UnsafePointer<UInt8>, rows: Int, _ w: UnsafePointer<Float>,
                              _ out: UnsafeMutablePointer<Float>, fusedSums: Bool) {
    for r in 0..<rows {
        let row = bytes + r * inputs
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes(), a4 = Lanes()
        var a5 = Lanes(), a6 = Lanes(), a7 = Lanes(), a8 = Lanes(), a9 = Lanes()
        let (low, high) = nonZeroChunks(row)
        for (word, firstChunk) in [(low, 0), (high, 64)] {
            var remaining = word
            while remaining != 0 {
                let k = (firstChunk + remaining.trailingZeroBitCount) * 8
                remaining &= remaining &- 1
                let x = scaled(row + k)
                if fusedSums {
                    a0 = a0.addingProduct(x, Lanes(at: w + k)); a1 = a1.addingProduct(x, Lanes(at: w + inputs + k))
                    a2 = a2.addingProduct(x, Lanes(at: w + 2 * inputs + k)); a3 = a3.addingProduct(x, Lanes(at: w + 3 * inputs + k))
                    a4 = a4.addingProduct(x, Lanes(at: w + 4 * inputs + k)); a5 = a5.addingProduct(x, Lanes(at: w + 5 * inputs + k))
                    a6 = a6.addingProduct(x, Lanes(at: w + 6 * inputs + k)); a7 = a7.addingProduct(x, Lanes(at: w + 7 * inputs + k))
                    a8 = a8.addingProduct(x, Lanes(at: w + 8 * inputs + k)); a9 = a9.addingProduct(x, Lanes(at: w + 9 * inputs + k))
                } else {
                    a0 += x * Lanes(at: w + k); a1 += x * Lanes(at: w + inputs + k)
                    a2 += x * Lanes(at: w + 2 * inputs + k); a3 += x * Lanes(at: w + 3 * inputs + k)
                    a4 += x * Lanes(at: w + 4 * inputs + k); a5 += x * Lanes(at: w + 5 * inputs + k)
                    a6 += x * Lanes(at: w + 6 * inputs + k); a7 += x * Lanes(at: w + 7 * inputs + k)
                    a8 += x * Lanes(at: w + 8 * inputs + k); a9 += x * Lanes(at: w + 9 * inputs + k)
                }
            }
        }
        let o = out + r * outputs
        o[0] = laneSum(a0); o[1] = laneSum(a1); o[2] = laneSum(a2); o[3] = laneSum(a3); o[4] = laneSum(a4)
        o[5] = laneSum(a5); o[6] = laneSum(a6); o[7] = laneSum(a7); o[8] = laneSum(a8); o[9] = laneSum(a9)
    }
}

func twoRowsFiveOutputs(_ bytes: UnsafePointer<UInt8>, rows: Int, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    var r = 0
    while r + 2 <= rows {
        let first = bytes + r * inputs, second = first + inputs
        var j = 0
        while j < outputs {
            let wj = w + j * inputs
            var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes(), a4 = Lanes()
            var b0 = Lanes(), b1 = Lanes(), b2 = Lanes(), b3 = Lanes(), b4 = Lanes()
            var k = 0
            while k < inputs {
                let x = scaled(first + k), y = scaled(second + k)
                let w0 = Lanes(at: wj + k), w1 = Lanes(at: wj + inputs + k), w2 = Lanes(at: wj + 2 * inputs + k)
                let w3 = Lanes(at: wj + 3 * inputs + k), w4 = Lanes(at: wj + 4 * inputs + k)
                a0 += x * w0; b0 += y * w0; a1 += x * w1; b1 += y * w1; a2 += x * w2; b2 += y * w2
                a3 += x * w3; b3 += y * w3; a4 += x * w4; b4 += y * w4
                k &+= 8
            }
            let o = out + r * outputs + j, p = o + outputs
            o[0] = laneSum(a0); o[1] = laneSum(a1); o[2] = laneSum(a2); o[3] = laneSum(a3); o[4] = laneSum(a4)
            p[0] = laneSum(b0); p[1] = laneSum(b1); p[2] = laneSum(b2); p[3] = laneSum(b3); p[4] = laneSum(b4)
            j += 5
        }
        r += 2
    }
}

/// The positions of a row's non-zero pixels, eight bytes at a time; returns how many.
@inline(__always) func nonZeroPositions(_ row: UnsafePointer<UInt8>, into positions: UnsafeMutablePointer<Int32>) -> Int {
    var count = 0, base = 0
    while base < inputs {
        let word = UnsafeRawPointer(row + base).loadUnaligned(as: UInt64.self)
        let low: UInt64 = 0x7f7f_7f7f_7f7f_7f7f
        var nonZero = (((word & low) &+ low) | word) & 0x8080_8080_8080_8080
        while nonZero != 0 {
            positions[count] = Int32(base &+ nonZero.trailingZeroBitCount >> 3)
            count &+= 1
            nonZero &= nonZero &- 1
        }
        base &+= 8
    }
    return count
}

func findNonZeros(_ bytes: UnsafePointer<UInt8>, rows: Int, _ out: UnsafeMutablePointer<Float>, _ positions: UnsafeMutablePointer<Int32>) {
    for r in 0..<rows { out[r * outputs] = Float(nonZeroPositions(bytes + r * inputs, into: positions)) }
}

/// Non-zero pixels only: their positions found eight bytes at a time, W transposed to
/// [input][12] (ten outputs padded), four accumulators taking the non-zeros in turn.
func sparse(_ bytes: UnsafePointer<UInt8>, rows: Int, _ wt: UnsafePointer<Float>, _ table: UnsafePointer<Float>,
            _ out: UnsafeMutablePointer<Float>, _ positions: UnsafeMutablePointer<Int32>) {
    typealias Four = SIMD4<Float>
    for r in 0..<rows {
        let row = bytes + r * inputs
        let count = nonZeroPositions(row, into: positions)
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes(), c0 = Four(), c1 = Four(), c2 = Four(), c3 = Four()
        @inline(__always) func term(_ n: Int) -> (Float, UnsafePointer<Float>) {
            let k = Int(positions[n])
            return (table[Int(row[k])], wt + k * 12)
        }
        var n = 0
        while n + 4 <= count {
            let (x0, p0) = term(n), (x1, p1) = term(n + 1), (x2, p2) = term(n + 2), (x3, p3) = term(n + 3)
            a0 += x0 * Lanes(at: p0); c0 += x0 * UnsafeRawPointer(p0 + 8).loadUnaligned(as: Four.self)
            a1 += x1 * Lanes(at: p1); c1 += x1 * UnsafeRawPointer(p1 + 8).loadUnaligned(as: Four.self)
            a2 += x2 * Lanes(at: p2); c2 += x2 * UnsafeRawPointer(p2 + 8).loadUnaligned(as: Four.self)
            a3 += x3 * Lanes(at: p3); c3 += x3 * UnsafeRawPointer(p3 + 8).loadUnaligned(as: Four.self)
            n += 4
        }
        while n < count {
            let (x, p) = term(n)
            a0 += x * Lanes(at: p); c0 += x * UnsafeRawPointer(p + 8).loadUnaligned(as: Four.self)
            n += 1
        }
        let s = (a0 + a1) + (a2 + a3), t = (c0 + c1) + (c2 + c3)
        for j in 0..<8 { out[r * outputs + j] = s[j] }
        out[r * outputs + 8] = t[0]
        out[r * outputs + 9] = t[1]
    }
}

guard (2...3).contains(CommandLine.arguments.count), let data = FileManager.default.contents(atPath: CommandLine.arguments[1]) else {
    print("usage: logit_kernels IMAGES.bin [GHz] (the raw pixel bytes of the IDX file, without its 16-byte header)")
    exit(2)
}
let bytes = [UInt8](data), rows = bytes.count / inputs / 4 * 4
var generator = SystemRandomNumberGenerator()
let weights = (0..<(outputs * inputs)).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
var transposed = [Float](repeating: 0, count: inputs * 12)
for k in 0..<inputs { for j in 0..<outputs { transposed[k * 12 + j] = weights[j * inputs + k] } }
let table = (0..<256).map { Float($0) / 255 }
var results = [[Float]](repeating: [Float](repeating: 0, count: rows * outputs), count: 9)
var buffer = [Float](repeating: 0, count: 4 * inputs)
var positions = [Int32](repeating: 0, count: inputs)
let names = ["engine", "engine, FMA", "1 row × 10", "2 rows × 5", "sparse", "engine, FMA sums", "1 row, skip",
             "1 row, skip, FMA", "find non-zeros"]
var samples = [[Double]](repeating: [], count: names.count)
bytes.withUnsafeBufferPointer { b in weights.withUnsafeBufferPointer { w in transposed.withUnsafeBufferPointer { wt in
table.withUnsafeBufferPointer { t in buffer.withUnsafeMutableBufferPointer { s in positions.withUnsafeMutableBufferPointer { p in
    for _ in 0..<9 {
        for variant in names.indices {
            results[variant].withUnsafeMutableBufferPointer { out in
                let started = DispatchTime.now().uptimeNanoseconds
                switch variant {
                case 0: engine(b.baseAddress!, rows: rows, w.baseAddress!, out.baseAddress!, s.baseAddress!, fused: false)
                case 1: engine(b.baseAddress!, rows: rows, w.baseAddress!, out.baseAddress!, s.baseAddress!, fused: true)
                case 2: oneRowTenOutputs(b.baseAddress!, rows: rows, w.baseAddress!, out.baseAddress!)
                case 3: twoRowsFiveOutputs(b.baseAddress!, rows: rows, w.baseAddress!, out.baseAddress!)
                case 4: sparse(b.baseAddress!, rows: rows, wt.baseAddress!, t.baseAddress!, out.baseAddress!, p.baseAddress!)
                case 5: engine(b.baseAddress!, rows: rows, w.baseAddress!, out.baseAddress!, s.baseAddress!, fused: false, fusedSums: true)
                case 6: oneRowSkippingZeroChunks(b.baseAddress!, rows: rows, w.baseAddress!, out.baseAddress!, fusedSums: false)
                case 7: oneRowSkippingZeroChunks(b.baseAddress!, rows: rows, w.baseAddress!, out.baseAddress!, fusedSums: true)
                default: findNonZeros(b.baseAddress!, rows: rows, out.baseAddress!, p.baseAddress!)
                }
                samples[variant].append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
            }
        }
    }
}}}}}}
let medians = samples.map { $0.sorted()[$0.count / 2] }
print("logits of \(rows) rows × \(inputs) pixel bytes → \(outputs) outputs; medians of 9 alternated rounds")
for (index, name) in names.enumerated() where index < names.count - 1 {
    let sameBits = results[index] == results[0]
    let largest = zip(results[index], results[0]).map { abs($0 - $1) }.max() ?? 0
    let label = name.padding(toLength: 16, withPad: " ", startingAt: 0)
    print(label + String(format: " %7.2f ms  ×%.2f of the engine's  ", medians[index], medians[index] / medians[0])
          + (sameBits ? "same bits" : String(format: "other bits (largest difference %.1e)", largest)))
}
let search = medians[names.count - 1]
print(String(format: "find non-zeros   %7.2f ms  ×%.2f of the engine's (the search alone, no arithmetic)", search, search / medians[0]))
let allBytes = (0..<256).map { UInt8($0) } + [UInt8](repeating: 0, count: 8)
let fusedExact = allBytes.withUnsafeBufferPointer { bytes in
    (0..<32).allSatisfy { chunk in
        let got = scaled(bytes.baseAddress! + chunk * 8, fused: true)
        return (0..<8).allSatisfy { got[$0] == Float(chunk * 8 + $0) / 255 }
    }
}
print("fused scaling equals Float(b) / 255 for all 256 bytes: \(fusedExact)")
if CommandLine.arguments.count == 3, let gigahertz = Double(CommandLine.arguments[2]) {
    let cycles = medians[0] * 1e-3 * gigahertz * 1e9 / (Double(rows * inputs * outputs) / 64)
    print(String(format: "engine: %.1f cycles per 64 multiply-adds at %.2f GHz, the pixel scaling included", cycles, gigahertz))
}
