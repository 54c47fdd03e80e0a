import Foundation
import Planning

/// A flag set once from any thread (Ctrl-C, a write failure) and read by every worker.
final class StopFlag: @unchecked Sendable {
    // @unchecked: the value is guarded by the lock.
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Hands out runs to workers in grid order.
final class WorkQueue: @unchecked Sendable {
    // @unchecked: the position is guarded by the lock.
    private let lock = NSLock()
    private let runs: [PlannedRun]
    private var position = 0
    init(_ runs: [PlannedRun]) { self.runs = runs }
    func next() -> PlannedRun? {
        lock.withLock {
            guard position < runs.count else { return nil }
            defer { position += 1 }
            return runs[position]
        }
    }
}

final class FailureList: @unchecked Sendable {
    // @unchecked: guarded by the lock.
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ message: String) { lock.withLock { list.append(message) } }
    var messages: [String] { lock.withLock { list } }
}
