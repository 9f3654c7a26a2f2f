import Glibc
import Logging

extension WriteAheadLog {
    /// Writes an empty log with `firstLSN` to a temporary file, syncs it and renames it to `wal.log`,
    /// then syncs the directory.
    ///
    /// - Parameter renamed: Set once the new file has replaced `wal.log`: a failure before that leaves
    ///   the old log untouched, a failure after it leaves the new file in place but perhaps not durably.
    /// - Returns: The new log, opened for reading and writing.
    static func createLog(directory: String, firstLSN: UInt64, io: any FileIO, renamed: inout Bool)
        throws(StorageError) -> OpenFile
    {
        let temporary = joinPath(directory, WALFormat.temporaryName)
        let final = joinPath(directory, WALFormat.fileName)
        let header = WALFormat.header(firstLSN: firstLSN)
        do {
            let staged = try OpenFile(temporary, mode: .createOrTruncate, io: io)
            try staged.write(header, at: 0)
            try staged.sync()
        }
        try io.rename(temporary, to: final)
        renamed = true
        let file = try OpenFile(final, mode: .readWrite, io: io)
        try io.syncDirectory(directory)
        return file
    }

    /// Opens `wal.log`, or creates it empty (first LSN `initialLSN`) when it does not exist.
    static func openOrCreate(path: String, directory: String, initialLSN: UInt64, io: any FileIO)
        throws(StorageError) -> (file: OpenFile, created: Bool)
    {
        do {
            return (try OpenFile(path, mode: .readWrite, io: io), false)
        } catch {
            guard error.errno == ENOENT else { throw error }
        }
        guard initialLSN > 0 else { throw .userError("write-ahead log \(path): initialLSN must be at least 1") }
        var renamed = false
        return (try createLog(directory: directory, firstLSN: initialLSN, io: io, renamed: &renamed), true)
    }

    /// Validates the header and records of `file`, cutting off a torn tail.
    static func recover(file: OpenFile, logger: Logger) throws(StorageError) -> (State, WALRecoveryReport) {
        let header = try file.read(count: WALFormat.headerSize, at: 0)
        let firstLSN = try WALFormat.parseHeader(header, path: file.path)
        let size = try file.size()
        var scanner = WALScanner(file: file, limit: size, firstLSN: firstLSN)
        var report = WALRecoveryReport()
        scanning: while true {
            switch try scanner.next() {
            case .end:
                break scanning
            case .record:
                report.recordsKept += 1
            case .torn(let reason):
                let dropped = size - scanner.offset
                logger.warning(
                    "write-ahead log \(file.path): torn tail at offset \(scanner.offset), dropping \(dropped) bytes (\(reason))",
                    metadata: [
                        "file": "\(file.path)", "offset": "\(scanner.offset)", "bytesDropped": "\(dropped)",
                    ])
                try file.truncate(to: scanner.offset)
                try file.sync()
                report.bytesTruncated = dropped
                report.truncatedAt = scanner.offset
                report.reason = reason
                break scanning
            }
        }
        let state = State(
            file: file, firstLSN: firstLSN, nextLSN: scanner.expectedLSN,
            durableLSN: scanner.expectedLSN - 1, durableSize: scanner.offset)
        return (state, report)
    }
}
