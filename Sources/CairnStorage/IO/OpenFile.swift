/// Owns one open descriptor and closes it through its ``FileIO`` when released.
///
/// The methods forward to the file layer with the descriptor filled in, so storage code reads like
/// `try file.write(bytes, at: offset); try file.dataSync()`.
public final class OpenFile: Sendable {
    /// The file layer that opened the descriptor and will close it.
    public let io: any FileIO
    /// The owned descriptor.
    public let descriptor: FileDescriptor

    /// The path the file was opened under.
    public var path: String { descriptor.path }

    /// Opens `path` through `io`; the descriptor is closed when the object is released.
    public init(_ path: String, mode: FileOpenMode, io: any FileIO) throws(StorageError) {
        self.io = io
        self.descriptor = try io.open(path, mode: mode)
    }

    deinit { io.close(descriptor) }

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StorageError) {
        try io.write(descriptor, bytes, at: offset)
    }

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: [UInt8], at offset: Int64) throws(StorageError) {
        var failure: StorageError?
        bytes.withUnsafeBytes { raw in
            do throws(StorageError) { try io.write(descriptor, raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Reads up to `buffer.count` bytes from `offset`; fewer only at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StorageError) -> Int {
        try io.read(descriptor, into: buffer, at: offset)
    }

    /// Reads up to `count` bytes from `offset` into a new array; shorter only at the end of the file.
    public func read(count: Int, at offset: Int64) throws(StorageError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var result: Result<Int, StorageError> = .success(0)
        bytes.withUnsafeMutableBytes { raw in
            result = Result { () throws(StorageError) in try io.read(descriptor, into: raw, at: offset) }
        }
        bytes.removeLast(count - (try result.get()))
        return bytes
    }

    /// `fsync(2)`.
    public func sync() throws(StorageError) { try io.sync(descriptor) }

    /// `fdatasync(2)`.
    public func dataSync() throws(StorageError) { try io.dataSync(descriptor) }

    /// `ftruncate(2)`.
    public func truncate(to size: Int64) throws(StorageError) { try io.truncate(descriptor, to: size) }

    /// The current length of the file.
    public func size() throws(StorageError) -> Int64 { try io.size(of: descriptor) }
}
