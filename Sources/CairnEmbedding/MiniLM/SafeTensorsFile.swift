import Foundation
import Glibc

/// A safetensors file mapped read-only into memory; tensors are read in place, never copied.
///
/// The format: an unsigned 64-bit little-endian header length `n`, then `n` bytes of JSON mapping each
/// tensor name to `{"dtype": "F32", "shape": [rows, cols], "data_offsets": [begin, end]}` (byte offsets
/// relative to the end of the header; an optional `__metadata__` entry holds strings), then the raw
/// little-endian tensor data. Every entry is checked against the file's size when the file is opened, so
/// a pointer handed out by ``floats(_:shape:)`` is always inside the mapping.
///
/// The mapping lives as long as this object: whoever keeps tensor pointers keeps the file too.
final class SafeTensorsFile: @unchecked Sendable {
    /// One tensor's header entry.
    struct Entry: Sendable, Hashable {
        var dtype: String
        var shape: [Int]
        /// Byte range relative to the start of the data section.
        var begin: Int
        var end: Int
    }

    /// The file's path (used in error messages).
    let path: String
    /// Every tensor in the header, by stored name.
    let entries: [String: Entry]

    private let mapping: UnsafeMutableRawPointer
    private let mappedLength: Int
    /// Offset of the data section in the file: 8 + the header length.
    private let dataOffset: Int

    /// Header lengths above this are refused as corrupt (the real header is ~11 KB).
    private static let maximumHeaderLength = 64 << 20

    /// Maps `path` and validates its header.
    ///
    /// - Throws: `.modelMissing` when the file does not exist, `.modelInvalid` when it cannot be read or its
    ///   header is damaged (truncated file, bad JSON, a tensor outside the file, a size that disagrees with
    ///   its shape).
    init(path: String) throws(EmbeddingError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw EmbeddingError(.modelMissing, "model file \(path) does not exist: "
                    + "run `bash scripts/bootstrap.sh` to install all-MiniLM-L6-v2")
            }
            throw EmbeddingError(.modelInvalid, "cannot open \(path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw EmbeddingError(.modelInvalid, "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        let size = Int(info.st_size)
        guard size >= 8 else {
            throw EmbeddingError(.modelInvalid, "\(path) is truncated (\(size) bytes, no safetensors header)")
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw EmbeddingError(.modelInvalid, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        do throws(EmbeddingError) {
            let headerLength = Int(clamping: UInt64(littleEndian: map.loadUnaligned(as: UInt64.self)))
            guard headerLength > 0, headerLength <= Self.maximumHeaderLength, headerLength <= size - 8 else {
                throw EmbeddingError(.modelInvalid, "\(path): header length \(headerLength) does not fit a file of "
                    + "\(size) bytes")
            }
            let json = Data(bytes: map + 8, count: headerLength)
            self.entries = try Self.parseHeader(json, dataLength: size - 8 - headerLength, path: path)
            self.dataOffset = 8 + headerLength
        } catch {
            munmap(map, size)
            throw error
        }
        self.mapping = map
        self.mappedLength = size
    }

    deinit {
        munmap(mapping, mappedLength)
    }

    /// The stored name of `name`: itself, or with the `bert.` prefix some exports add; nil when absent.
    func storedName(_ name: String) -> String? {
        if entries[name] != nil { return name }
        let prefixed = "bert." + name
        return entries[prefixed] != nil ? prefixed : nil
    }

    /// The F32 tensor `name` (with or without a `bert.` prefix), which must have exactly `shape`.
    ///
    /// - Throws: `.modelInvalid` naming the tensor when it is absent, not F32, of another shape, or misaligned.
    func floats(_ name: String, shape: [Int]) throws(EmbeddingError) -> UnsafePointer<Float> {
        guard let stored = storedName(name), let entry = entries[stored] else {
            throw EmbeddingError(.modelInvalid, "\(path): tensor \(name) is missing")
        }
        guard entry.dtype == "F32" else {
            throw EmbeddingError(.modelInvalid, "\(path): tensor \(stored) has dtype \(entry.dtype), expected F32")
        }
        guard entry.shape == shape else {
            throw EmbeddingError(.modelInvalid, "\(path): tensor \(stored) has shape \(entry.shape), expected \(shape)")
        }
        let offset = dataOffset + entry.begin
        guard offset % MemoryLayout<Float>.alignment == 0 else {
            throw EmbeddingError(.modelInvalid, "\(path): tensor \(stored) is not 4-byte aligned in the file")
        }
        return UnsafePointer((mapping + offset).assumingMemoryBound(to: Float.self))
    }

    /// Bytes per element of the dtypes whose sizes are checked; others are only range-checked.
    private static let elementSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]

    /// Decodes the JSON header and checks every entry against the data section's length.
    private static func parseHeader(_ json: Data, dataLength: Int, path: String) throws(EmbeddingError)
        -> [String: Entry]
    {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw EmbeddingError(.modelInvalid, "\(path): the safetensors header is not valid JSON")
        }
        guard let table = object as? [String: Any] else {
            throw EmbeddingError(.modelInvalid, "\(path): the safetensors header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        for (name, value) in table where name != "__metadata__" {
            guard let fields = value as? [String: Any],
                  let dtype = fields["dtype"] as? String,
                  let shape = integers(fields["shape"]),
                  let offsets = integers(fields["data_offsets"]), offsets.count == 2
            else {
                throw EmbeddingError(.modelInvalid, "\(path): header entry for tensor \(name) is malformed")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength, shape.allSatisfy({ $0 >= 0 }) else {
                throw EmbeddingError(.modelInvalid, "\(path): tensor \(name) lies outside the file "
                    + "(bytes \(begin)..<\(end) of \(dataLength))")
            }
            if let width = elementSizes[dtype] {
                let (count, overflow) = shape.reduce((1, false)) { acc, d in
                    let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                    return (p, acc.1 || o)
                }
                let bytes = count.multipliedReportingOverflow(by: width)
                guard !overflow, !bytes.overflow, bytes.partialValue == end - begin else {
                    throw EmbeddingError(.modelInvalid, "\(path): tensor \(name) holds \(end - begin) bytes, "
                        + "which does not match its shape \(shape) of \(dtype)")
                }
            }
            entries[name] = Entry(dtype: dtype, shape: shape, begin: begin, end: end)
        }
        return entries
    }

    /// A JSON array of non-negative integers (as decoded by JSONSerialization), or nil.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard let number = element as? NSNumber else { return nil }
            let d = number.doubleValue
            guard d >= 0, d == d.rounded(), d < 9e15 else { return nil }
            out.append(number.intValue)
        }
        return out
    }
}
