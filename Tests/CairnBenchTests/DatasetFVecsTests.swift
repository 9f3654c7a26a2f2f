import CairnBench
import CairnVectorMath
import Foundation
import Testing

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct DatasetScratchDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/cairn-datasets-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("FVecs and IVecs files")
struct DatasetFVecsTests {
    func writeRaw(_ words: [Int32], to path: String, dropLastBytes: Int = 0) {
        var data = words.withUnsafeBytes { Data($0) }
        data.removeLast(dropLastBytes)
        _ = FileManager.default.createFile(atPath: path, contents: data)
    }

    func expectError(
        _ category: DatasetError.Category, containing text: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected a \(category) error mentioning “\(text)”", sourceLocation: sourceLocation)
        } catch let error as DatasetError {
            #expect(error.category == category, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a DatasetError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("fvecs round trip keeps every bit, limit reads a prefix")
    func fvecsRoundTrip() throws {
        let dir = DatasetScratchDirectory()
        defer { dir.remove() }
        let m = Matrix(rows: 37, cols: 5)
        for i in 0..<m.count { m.pointer[i] = Float(i) * 0.37 - 3 }
        m[3, 2] = .nan
        m[4, 4] = -.infinity
        try FVecs.write(m, to: dir.file("a.fvecs"))
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.file("a.fvecs"))
        #expect((attributes[.size] as? Int) == 37 * (4 + 4 * 5))
        let back = try FVecs.read(dir.file("a.fvecs"))
        #expect(back.rows == 37 && back.cols == 5)
        #expect(memcmp(back.pointer, m.pointer, m.count * 4) == 0)
        let prefix = try FVecs.read(dir.file("a.fvecs"), limit: 4)
        #expect(prefix.rows == 4 && prefix.rowArray(1) == m.rowArray(1))
        #expect(!FileManager.default.fileExists(atPath: dir.file("a.fvecs.tmp")))

        try FVecs.write(Matrix(rows: 0, cols: 0), to: dir.file("empty.fvecs"))
        let empty = try FVecs.read(dir.file("empty.fvecs"))
        #expect(empty.rows == 0)
    }

    @Test("ivecs round trip and validation of rows")
    func ivecsRoundTrip() throws {
        let dir = DatasetScratchDirectory()
        defer { dir.remove() }
        let rows: [[Int32]] = [[1, 2, 3], [-4, 5, Int32.max], [7, 8, 9]]
        try FVecs.writeIVecs(rows, to: dir.file("gt.ivecs"))
        #expect(try FVecs.readIVecs(dir.file("gt.ivecs")) == rows)
        #expect(try FVecs.readIVecs(dir.file("gt.ivecs"), limit: 2) == Array(rows.prefix(2)))
        expectError(.userError, containing: "vector 1 has 2 ids") {
            try FVecs.writeIVecs([[1, 2, 3], [4, 5]], to: dir.file("bad.ivecs"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("bad.ivecs")))
    }

    @Test("a truncated file names the incomplete vector")
    func truncated() throws {
        let dir = DatasetScratchDirectory()
        defer { dir.remove() }
        try FVecs.write(Matrix(rows: 10, cols: 4, repeating: 1), to: dir.file("t.fvecs"))
        let full = try Data(contentsOf: URL(fileURLWithPath: dir.file("t.fvecs")))
        _ = FileManager.default.createFile(atPath: dir.file("t.fvecs"), contents: full.dropLast(3))
        expectError(.corruption, containing: "vector 9 has 17 of 20 bytes") { _ = try FVecs.read(dir.file("t.fvecs")) }
        expectError(.corruption, containing: dir.file("t.fvecs")) { _ = try FVecs.read(dir.file("t.fvecs")) }
        // The complete prefix is still readable on purpose.
        #expect(try FVecs.read(dir.file("t.fvecs"), limit: 9).rows == 9)
        writeRaw([], to: dir.file("tiny.fvecs"))
        _ = FileManager.default.createFile(atPath: dir.file("tiny.fvecs"), contents: Data([1, 0]))
        expectError(.corruption, containing: "vector 0") { _ = try FVecs.read(dir.file("tiny.fvecs")) }
    }

    @Test("inconsistent or invalid dimensions are corruption")
    func inconsistent() {
        let dir = DatasetScratchDirectory()
        defer { dir.remove() }
        let one = Float(1).bitPattern
        let v = Int32(bitPattern: one)
        writeRaw([2, v, v, 2, v, v, 3, v, v, v], to: dir.file("mixed.fvecs"))
        expectError(.corruption, containing: "vector 2 has dimension 3, vector 0 has 2") { _ = try FVecs.read(dir.file("mixed.fvecs")) }
        writeRaw([0, 0, 0], to: dir.file("zero.ivecs"))
        expectError(.corruption, containing: "vector 0 has an invalid dimension 0") { _ = try FVecs.readIVecs(dir.file("zero.ivecs")) }
        writeRaw([-5, 1], to: dir.file("neg.ivecs"))
        expectError(.corruption, containing: "invalid dimension -5") { _ = try FVecs.readIVecs(dir.file("neg.ivecs")) }
    }

    @Test("missing files and unwritable paths are reported with their path")
    func missing() {
        expectError(.userError, containing: "/nonexistent/x.fvecs: cannot open") { _ = try FVecs.read("/nonexistent/x.fvecs") }
        expectError(.userError, containing: "/nonexistent/y.fvecs") {
            try FVecs.write(Matrix(rows: 1, cols: 1), to: "/nonexistent/y.fvecs")
        }
    }
}
