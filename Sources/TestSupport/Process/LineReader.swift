import Foundation

/// Reads a child's output line by line as it arrives.
enum LineReader {
    /// Reads lines from `handle`, handing each to `onLine` until it returns false or the output ends; returns
    /// the lines read and whether `onLine` stopped the reading.
    static func read(_ handle: FileHandle, onLine: (String) -> Bool) -> (lines: [String], stopped: Bool) {
        var lines: [String] = []
        var buffer = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { return (lines, false) }
            buffer.append(chunk)
            while let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                lines.append(line)
                if !onLine(line) { return (lines, true) }
            }
        }
    }
}
