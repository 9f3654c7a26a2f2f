import CairnIngest
import Dispatch
import Foundation
import Synchronization

/// Bulk-job progress on standard error: a redrawn bar on a terminal, a plain line every 10 s otherwise.
final class ProgressDisplay: Sendable {
    private let enabled: Bool
    private let terminal: Bool
    private let last = Mutex<(drawn: Double, width: Int)>((-1e9, 0))
    private let started = Date()

    init(enabled: Bool) {
        self.enabled = enabled
        terminal = isatty(2) != 0
    }

    func update(_ p: BulkProgress) {
        guard enabled else { return }
        let now = Date().timeIntervalSince(started)
        let line = Self.describe(p)
        last.withLock { state in
            if terminal {
                guard now - state.drawn >= 0.2 else { return }
                let bar = Self.bar(Double(p.filesDone) / Double(max(1, p.filesTotal)), width: 24)
                let text = "\r\(bar) \(line)"
                let padded = text.count < state.width ? text + String(repeating: " ", count: state.width - text.count) : text
                FileHandle.standardError.write(Data(padded.utf8))
                state.width = text.count
            } else {
                guard now - state.drawn >= 10 else { return }
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            state.drawn = now
        }
    }

    func finish() {
        guard enabled, terminal else { return }
        last.withLock { state in
            if state.width > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
            state.width = 0
        }
    }

    static func describe(_ p: BulkProgress) -> String {
        let rate = p.chunksPerSecond
        var eta = ""
        if p.filesDone > 0, p.filesDone < p.filesTotal, p.elapsedSeconds > 1 {
            let remaining = p.elapsedSeconds / Double(p.filesDone) * Double(p.filesTotal - p.filesDone)
            eta = String(format: ", ETA %d:%02d", Int(remaining) / 60, Int(remaining) % 60)
        }
        return String(format: "files %d/%d, chunks %d/%d, %.1f chunks/s%@ (%d added, %d updated, %d unchanged, %d failed)",
                      p.filesDone, p.filesTotal, p.chunksDone, p.chunksKnown, rate, eta, p.counts.added,
                      p.counts.updated, p.counts.unchanged, p.counts.failed)
    }

    static func bar(_ fraction: Double, width: Int) -> String {
        let filled = Int((min(1, max(0, fraction)) * Double(width)).rounded(.down))
        return "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "]"
    }
}

/// Ctrl-C (SIGINT) and SIGTERM: the first asks the job to stop after its current batch, a second exits at once.
final class InterruptHandler {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopFlag) {
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if stop.isStopped { exit(130) }
                stop.stop()
                FileHandle.standardError.write(Data(
                    "\nstopping after the current batch (press Ctrl-C again to quit at once)…\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
