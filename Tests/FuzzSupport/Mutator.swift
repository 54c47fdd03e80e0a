import Foundation
import TensorMath

/// Deterministic mutations of an input, for fuzz tests.
///
/// Case `index` of a campaign is a pure function of the campaign's seed and `index`, so a
/// failing case is reproduced by its number alone, on any machine, whatever ran before it.
public struct Mutator: Sendable {
    /// Bytes worth inserting: separators and numbers that sit at the edges readers must handle.
    public var dictionary: [[UInt8]]

    public init(dictionary: [String] = []) {
        self.dictionary = dictionary.map { Array($0.utf8) }
    }

    /// Case `index`: one of `seeds`, changed by one to four mutations.
    public func mutate(_ seeds: [[UInt8]], seed: UInt64, index: Int) -> [UInt8] {
        var random = DeterministicRandom(seed: seed, stream: "fuzz-case-\(index)")
        var bytes = seeds[random.nextIndex(below: seeds.count)]
        for _ in 0...random.nextIndex(below: 4) {
            mutateOnce(&bytes, seeds: seeds, random: &random)
        }
        return bytes
    }

    /// Big-endian 32-bit values at the edges of the sizes readers compute with.
    private static let interestingWords: [UInt32] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x7FFF_FFFF,
                                                      0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 60_000, 784, 28]

    private func mutateOnce(_ bytes: inout [UInt8], seeds: [[UInt8]], random: inout DeterministicRandom) {
        let position = bytes.isEmpty ? 0 : random.nextIndex(below: bytes.count)
        switch random.nextIndex(below: 9) {
        case 0 where !bytes.isEmpty:  // flip a bit
            bytes[position] ^= UInt8(1) << UInt8(random.nextIndex(below: 8))
        case 1 where !bytes.isEmpty:  // an edge byte
            bytes[position] = [0, 0x7F, 0x80, 0xFF, 0x0A, 0x2C][random.nextIndex(below: 6)]
        case 2 where bytes.count >= 4:  // an edge 32-bit word
            let word = Self.interestingWords[random.nextIndex(below: Self.interestingWords.count)]
            let start = min(position, bytes.count - 4)
            for k in 0..<4 { bytes[start + k] = UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32(k))) }
        case 3:  // insert random bytes
            let count = 1 + random.nextIndex(below: 8)
            bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position)
        case 4 where !bytes.isEmpty:  // delete a range
            bytes.removeSubrange(position..<min(bytes.count, position + 1 + random.nextIndex(below: 16)))
        case 5 where !bytes.isEmpty:  // repeat a range
            let end = min(bytes.count, position + 1 + random.nextIndex(below: 32))
            bytes.insert(contentsOf: bytes[position..<end], at: random.nextIndex(below: bytes.count))
        case 6:  // truncate
            bytes.removeSubrange(position..<bytes.count)
        case 7 where !dictionary.isEmpty:  // a dictionary token, inserted or overwriting
            let token = dictionary[random.nextIndex(below: dictionary.count)]
            if random.nextIndex(below: 2) == 0 || bytes.count < token.count {
                bytes.insert(contentsOf: token, at: position)
            } else {
                let start = min(position, bytes.count - token.count)
                bytes.replaceSubrange(start..<start + token.count, with: token)
            }
        default:  // splice in part of another seed
            let other = seeds[random.nextIndex(below: seeds.count)]
            guard !other.isEmpty else { return }
            let from = random.nextIndex(below: other.count)
            bytes.insert(contentsOf: other[from..<min(other.count, from + 1 + random.nextIndex(below: 64))], at: position)
        }
    }
}

/// Runs fuzz cases on a separate thread and fails the caller if they do not all end within
/// `timeout`: a case that hangs is found, not waited for forever.
public enum FuzzCampaign {
    /// Calls `body(index)` for every index in `0..<count`.
    ///
    /// - Returns: nil when every case returned; otherwise the index of the case still running
    ///   when `timeout` passed.
    public static func run(count: Int, timeout: TimeInterval, _ body: @escaping @Sendable (Int) -> Void) -> Int? {
        let progress = Progress()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            for index in 0..<count {
                progress.set(index)
                body(index)
            }
            done.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()
        return done.wait(timeout: .now() + timeout) == .success ? nil : progress.current
    }

    /// The case in progress, shared between the fuzzing thread and the caller.
    private final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var index = 0

        func set(_ value: Int) { lock.withLock { index = value } }
        var current: Int { lock.withLock { index } }
    }
}

/// Writes a fuzz case to disk without the `fsync` that `Data.write` makes: thousands of
/// small files must not wait for the disk.
public enum FuzzFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        guard let file = fopen(path, "wb") else { throw CocoaError(.fileWriteNoPermission) }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        guard written == bytes.count else { throw CocoaError(.fileWriteOutOfSpace) }
    }
}
