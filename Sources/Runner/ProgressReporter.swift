import Foundation
import Planning
import Results

/// Tells the user how a grid is going: a live bar on a terminal, otherwise a line per
/// finished run, JSON lines for machines, or nothing.
public final class ProgressReporter: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`; workers report from many threads.
    public enum Style: String, Sendable, CaseIterable {
        /// A single line redrawn in place (terminals).
        case bar
        /// One line per finished run.
        case plain
        /// One JSON object per event, per line.
        case json
        /// Nothing.
        case quiet
    }

    public let style: Style
    private let lock = NSLock()
    private let output: Int32
    private let total: Int
    private var done: Int
    private var running = 0
    private var diverged = 0
    private var failed = 0
    private let started = Date()
    private let timestamps = ISO8601DateFormatter()
    private var finishedThisSession = 0
    private var lastDraw = Date.distantPast

    /// - Parameters:
    ///   - total: runs in the grid (see `setAlreadyDone` for those finished earlier).
    public init(style: Style, total: Int, output: Int32 = STDERR_FILENO) {
        self.style = style
        self.total = total
        self.done = 0
        self.output = output
    }

    /// The style for the current process: a bar on a terminal, plain lines otherwise.
    public static func automaticStyle(quiet: Bool, json: Bool) -> Style {
        if quiet { return .quiet }
        if json { return .json }
        return isatty(STDERR_FILENO) != 0 ? .bar : .plain
    }

    /// Counts runs finished in an earlier session as done (a resumed grid).
    public func setAlreadyDone(_ count: Int) {
        lock.withLock { done = count }
    }

    public func runStarted(_ run: PlannedRun) {
        lock.withLock {
            running += 1
            if style == .json {
                emitJSON(["event": "started", "index": run.index, "key": run.key])
            }
            drawBar(force: false)
        }
    }

    public func runEnded(_ record: RunRecord) {
        lock.withLock {
            running -= 1
            guard record.status != .pending else { drawBar(force: true); return }
            done += 1
            finishedThisSession += 1
            if record.status == .diverged { diverged += 1 }
            if record.status == .failed { failed += 1 }
            switch style {
            case .quiet:
                break
            case .json:
                var event: [String: Any] = [
                    "event": "finished", "index": record.run.index, "key": record.run.key,
                    "status": record.status.rawValue, "epochs": record.epochs.count,
                    "seconds": record.seconds, "done": done, "total": total,
                ]
                if let final = record.final {
                    event["test_error"] = final.testError.isFinite ? final.testError : nil
                    event["train_loss"] = final.trainLoss.isFinite ? final.trainLoss : nil
                }
                if !record.message.isEmpty { event["message"] = record.message }
                emitJSON(event)
            case .plain:
                write(plainLine(record) + "\n")
            case .bar:
                if record.status != .finished {
                    // Keep problems on screen above the bar.
                    write("\r\u{1B}[2K" + plainLine(record) + "\n")
                }
                drawBar(force: true)
            }
        }
    }

    /// Redraws the bar so the clock moves even when no run ends for a while.
    public func tick() {
        lock.withLock { drawBar(force: false) }
    }

    /// Ends the bar's line.
    public func finish() {
        lock.withLock {
            if style == .bar {
                drawBar(force: true)
                write("\n")
            }
        }
    }

    /// A warning the user must see: printed even with `--quiet` (a `warning` event in JSON).
    public func warn(_ message: String) {
        lock.withLock {
            switch style {
            case .json: emitJSON(["event": "warning", "message": message])
            case .quiet, .plain: write("warning: " + message + "\n")
            case .bar: write("\r\u{1B}[2K" + "warning: " + message + "\n"); drawBar(force: true)
            }
        }
    }

    /// Reports the seconds spent writing HDF5 (run files and the results file); a JSON
    /// `saved` event only, for benchmarks: people reading the progress do not need it.
    public func saved(seconds: Double) {
        lock.withLock {
            if style == .json { emitJSON(["event": "saved", "seconds": seconds]) }
        }
    }

    public func note(_ message: String) {
        lock.withLock {
            switch style {
            case .quiet: break
            case .json: emitJSON(["event": "note", "message": message])
            case .plain: write(message + "\n")
            case .bar: write("\r\u{1B}[2K" + message + "\n"); drawBar(force: true)
            }
        }
    }

    // MARK: - Formatting (called with the lock held)

    private func plainLine(_ record: RunRecord) -> String {
        let labels = record.run.coordinates.map { "\($0.axis)=\($0.label)" }.joined(separator: " ")
        var line = "[\(done)/\(total)] \(record.run.key) \(record.status.rawValue)"
        if let final = record.final {
            // Data without a test split has no test error to show: "-", not the NaN that stands for it in the file.
            let testError = record.run.configuration.data.hasNoTestSplit ? "-" : String(format: "%.4f", final.testError)
            line += " test_error=\(testError)" + String(format: " train_loss=%.4g", final.trainLoss)
        }
        line += String(format: " %.1fs  %@", record.seconds, labels)
        if !record.message.isEmpty { line += "  (\(record.message))" }
        return line
    }

    private func drawBar(force: Bool) {
        guard style == .bar else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.5 else { return }
        lastDraw = now
        let width = 24
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let elapsed = now.timeIntervalSince(started)
        var eta = "--:--"
        if finishedThisSession > 0 && done < total {
            eta = Self.clock(elapsed / Double(finishedThisSession) * Double(total - done))
        } else if done == total {
            eta = "00:00"
        }
        let line = "\(bar) \(done)/\(total) done · \(running) running · \(diverged) diverged"
            + (failed > 0 ? " · \(failed) failed" : "") + " · \(Self.clock(elapsed)) elapsed · ETA \(eta)"
        write("\r\u{1B}[2K" + line)
    }

    private func emitJSON(_ object: [String: Any]) {
        var object = object
        object["time"] = timestamps.string(from: Date())
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    private func write(_ text: String) {
        DiagnosticOutput.write(text, to: output)
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%02d:%02d", minutes, secs)
    }
}
