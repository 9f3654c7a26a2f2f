@testable import CairnEmbedding
import Foundation
import Glibc
import Testing

/// A scratch directory under /tmp, removed when released.
final class MiniLMScratchDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/cairn-minilm-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the directory; returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// Builds safetensors files: a little-endian header length, the JSON header, then the data.
struct SafeTensorsBuilder {
    struct Tensor {
        var name: String
        var dtype = "F32"
        var shape: [Int]
        var values: [Float]
    }

    var tensors: [Tensor] = []

    func bytes(headerLengthOverride: UInt64? = nil, offsetShift: Int = 0) -> [UInt8] {
        var entries: [String] = [#""__metadata__":{"format":"pt"}"#]
        var data: [UInt8] = []
        for t in tensors {
            let begin = data.count
            for v in t.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append(#""\#(t.name)":{"dtype":"\#(t.dtype)","shape":[\#(shape)],"#
                + #""data_offsets":[\#(begin + offsetShift),\#(data.count + offsetShift)]}"#)
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        withUnsafeBytes(of: (headerLengthOverride ?? UInt64(header.count)).littleEndian) { out.append(contentsOf: $0) }
        return out + header + data
    }
}

/// Missing, truncated and malformed model files give typed errors that name the problem.
@Suite struct MiniLMModelFileTests {
    private func loadError(_ bytes: [UInt8]?) throws -> EmbeddingError? {
        let dir = try MiniLMScratchDirectory()
        if let bytes { try dir.write("model.safetensors", bytes) }
        return #expect(throws: EmbeddingError.self) { _ = try MiniLMModel(directory: dir.path) }
    }

    @Test func missingModelNamesTheInstallCommand() throws {
        let error = try loadError(nil)
        #expect(error?.kind == .modelMissing)
        #expect(error?.isUserError == true)
        #expect(error?.message.contains("bash scripts/bootstrap.sh") == true)
        let nowhere = #expect(throws: EmbeddingError.self) { _ = try MiniLMModel(directory: "/nonexistent/minilm") }
        #expect(nowhere?.kind == .modelMissing)
    }

    @Test func truncatedOrGarbledHeadersAreInvalid() throws {
        var one = SafeTensorsBuilder()
        one.tensors = [.init(name: "x", shape: [2], values: [1, 2])]
        let cases: [([UInt8], String)] = [
            ([1, 2, 3], "truncated"),
            (one.bytes(headerLengthOverride: 1 << 40), "header length"),
            ([16, 0, 0, 0, 0, 0, 0, 0] + Array("{not json at all".utf8), "not valid JSON"),
            ([8, 0, 0, 0, 0, 0, 0, 0] + Array("[1,2,3] ".utf8), "not a JSON object"),
            (one.bytes(offsetShift: 4), "lies outside the file"),
        ]
        for (bytes, fragment) in cases {
            let error = try loadError(bytes)
            #expect(error?.kind == .modelInvalid)
            #expect(error?.isUserError == false)
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "no error")")
        }
    }

    @Test func sizeThatDisagreesWithTheShapeNamesTheTensor() throws {
        var b = SafeTensorsBuilder()
        b.tensors = [.init(name: "embeddings.word_embeddings.weight", shape: [3, 2], values: [1, 2, 3, 4])]
        let error = try loadError(b.bytes())
        #expect(error?.kind == .modelInvalid)
        #expect(error?.message.contains("embeddings.word_embeddings.weight holds 16 bytes") == true,
                "\(error?.message ?? "")")
    }

    @Test func wrongDtypeShapeOrMissingTensorIsNamed() throws {
        let word = "embeddings.word_embeddings.weight"
        var dtype = SafeTensorsBuilder()
        dtype.tensors = [.init(name: "bert." + word, dtype: "I32", shape: [2], values: [0, 0])]
        var shape = SafeTensorsBuilder()
        shape.tensors = [.init(name: word, shape: [2, 384], values: Array(repeating: 0, count: 768))]
        var missing = SafeTensorsBuilder()
        missing.tensors = [.init(name: "unrelated", shape: [1], values: [0])]
        let cases: [(SafeTensorsBuilder, String)] = [
            (dtype, "tensor bert.\(word) has dtype I32, expected F32"),
            (shape, "tensor \(word) has shape [2, 384], expected [30522, 384]"),
            (missing, "tensor \(word) is missing"),
        ]
        for (builder, fragment) in cases {
            let error = try loadError(builder.bytes())
            #expect(error?.kind == .modelInvalid)
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "no error")")
        }
    }

    @Test func readsTensorsInPlaceWithOrWithoutThePrefix() throws {
        let dir = try MiniLMScratchDirectory()
        var b = SafeTensorsBuilder()
        b.tensors = [
            .init(name: "bert.a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
            .init(name: "b", dtype: "F16", shape: [2], values: [0]),
            .init(name: "c", shape: [1], values: [-7.5]),
        ]
        let file = try SafeTensorsFile(path: dir.write("t.safetensors", b.bytes()))
        #expect(file.entries.count == 3)
        let a = try file.floats("a", shape: [2, 3])
        #expect(Array(UnsafeBufferPointer(start: a, count: 6)) == [1, 2, 3, 4, 5, 6])
        #expect(try file.floats("c", shape: [1]).pointee == -7.5)
        #expect(file.storedName("a") == "bert.a")
        #expect(file.storedName("zzz") == nil)
    }

    @Test func realModelHasTheExpectedTensors() throws {
        let dir = try MiniLMTestFiles.modelDirectory()
        let file = try SafeTensorsFile(path: dir + "/model.safetensors")
        let layers = Set(file.entries.keys.filter { $0.contains("encoder.layer.") }.map {
            $0.split(separator: ".").first { Int($0) != nil }.map(String.init) ?? "?"
        })
        #expect(layers == ["0", "1", "2", "3", "4", "5"])
        #expect(file.entries.values.filter { $0.dtype == "F32" }.count == file.entries.count - 1)
    }
}
