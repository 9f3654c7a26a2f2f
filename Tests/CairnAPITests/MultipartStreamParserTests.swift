@testable import CairnAPI
import TestSupport
import Testing

/// The streaming multipart parser: the same parts whatever the chunking, every malformed body an error (never a
/// crash), bounded memory for headers.
struct MultipartStreamParserTests {
    /// What a parse saw, part by part.
    struct Part: Equatable {
        var headers: [String]
        var content: [UInt8]
    }

    final class Recorder {
        var parts: [Part] = []
        var open = false

        func attach(to parser: inout MultipartStreamParser) {
            parser.onHeaders = { [unowned self] headers in
                #expect(!open, "headers of a part began before the last one ended")
                parts.append(Part(headers: headers.map { "\($0.0)=\($0.1)" }, content: []))
                open = true
            }
            parser.onContent = { [unowned self] bytes in
                #expect(open, "content outside a part")
                parts[parts.count - 1].content.append(contentsOf: bytes)
            }
            parser.onPartEnd = { [unowned self] in open = false }
        }
    }

    /// Parses `body` fed in chunks of `chunk` bytes: the parts, and whether the close delimiter was read.
    static func parse(_ body: [UInt8], boundary: String, chunk: Int, maxHeaderBytes: Int = 16_384) throws
        -> (parts: [Part], complete: Bool) {
        var parser = MultipartStreamParser(boundary: boundary, maxHeaderBytes: maxHeaderBytes)
        let recorder = Recorder()
        recorder.attach(to: &parser)
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunk)
            try parser.feed(body[offset..<end])
            offset = end
        }
        return (recorder.parts, parser.isComplete)
    }

    static let boundary = "----cairn7MA4YWxkTrZu0gW"

    /// A preamble, a field, a file whose content holds CRLFs, dashes and most of a delimiter, an empty file,
    /// transport padding after one delimiter, and an epilogue.
    static let sample: [UInt8] = {
        let b = boundary
        var body = Array("This is the preamble; \r\n--not-the-boundary\r\n".utf8)
        body += Array("--\(b)\r\nContent-Disposition: form-data; name=\"topic\"\r\n\r\nbiology\r\n".utf8)
        body += Array("--\(b)  \t\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n".utf8)
        body += Array("Content-Type:   text/plain  \r\n\r\n".utf8)
        body += Array("line one\r\n--\(b.dropLast())\r\n\r\n-- \r\r\n\n".utf8) + [0x00, 0xFF, 0xC3, 0x80]
        body += Array("\r\n--\(b)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"empty.txt\"\r\n\r\n".utf8)
        body += Array("\r\n--\(b)--\r\nthe epilogue, ignored\r\n--\(b)\r\n".utf8)
        return body
    }()

    @Test func partsAreTheSameWhateverTheChunking() throws {
        let whole = try Self.parse(Self.sample, boundary: Self.boundary, chunk: Self.sample.count)
        #expect(whole.complete)
        #expect(whole.parts.count == 3)
        #expect(whole.parts[0] == Part(headers: ["Content-Disposition=form-data; name=\"topic\""],
                                       content: Array("biology".utf8)))
        #expect(whole.parts[1].headers == ["content-disposition=form-data; name=\"file\"; filename=\"a.txt\"",
                                           "Content-Type=text/plain"])
        #expect(whole.parts[1].content == Array("line one\r\n--\(Self.boundary.dropLast())\r\n\r\n-- \r\r\n\n".utf8)
            + [0x00, 0xFF, 0xC3, 0x80])
        #expect(whole.parts[2].content.isEmpty)
        for chunk in 1..<Self.sample.count {
            let split = try Self.parse(Self.sample, boundary: Self.boundary, chunk: chunk)
            #expect(split.parts == whole.parts && split.complete, "chunks of \(chunk) bytes")
        }
    }

    @Test func aBodyWithoutItsCloseDelimiterIsIncomplete() throws {
        let close = Array("--\(Self.boundary)--".utf8)
        let cut = Array(Self.sample[..<(Self.sample.firstRange(of: close)!.lowerBound)])
        for length in [0, 10, cut.count - 1, cut.count, cut.count + close.count - 1] {
            let body = Array((cut + close)[..<length])
            #expect(try !Self.parse(body, boundary: Self.boundary, chunk: 7).complete, "\(length) bytes")
        }
        #expect(try Self.parse(cut + close, boundary: Self.boundary, chunk: 7).complete)
    }

    @Test func malformedBodiesAreSyntaxErrors() {
        let b = Self.boundary
        let bodies: [(String, [UInt8])] = [
            ("a non-ASCII byte in a header name",
             Array("--\(b)\r\n".utf8) + [0xC3, 0x80] + Array(": x\r\n\r\nv\r\n--\(b)--".utf8)),
            ("a DEL in a header name", Array("--\(b)\r\nNa\u{7F}me: x\r\n\r\nv\r\n--\(b)--".utf8)),
            ("a header line without a colon", Array("--\(b)\r\nContent-Disposition form-data\r\n\r\nv\r\n--\(b)--".utf8)),
            ("a header line without a name", Array("--\(b)\r\n: form-data\r\n\r\nv\r\n--\(b)--".utf8)),
            ("a space in a header name", Array("--\(b)\r\nContent Disposition: x\r\n\r\nv\r\n--\(b)--".utf8)),
            ("a delimiter followed by other bytes", Array("--\(b)x\r\n\r\nv\r\n--\(b)--".utf8)),
            ("content holding a delimiter followed by other bytes",
             Array("--\(b)\r\nA: b\r\n\r\nv\r\n--\(b)zz\r\n--\(b)--".utf8)),
        ]
        for (what, body) in bodies {
            for chunk in [1, 3, body.count] {
                #expect(throws: MultipartStreamParser.SyntaxError.self, "\(what), chunks of \(chunk)") {
                    _ = try Self.parse(body, boundary: b, chunk: chunk)
                }
            }
        }
    }

    @Test func headerBlocksAreBounded() throws {
        let b = Self.boundary
        let long = Array("--\(b)\r\nX-Long: \(String(repeating: "a", count: 600))\r\n\r\nv\r\n--\(b)--".utf8)
        #expect(try Self.parse(long, boundary: b, chunk: 64, maxHeaderBytes: 1_024).parts.count == 1)
        #expect(throws: MultipartStreamParser.SyntaxError.self) {
            _ = try Self.parse(long, boundary: b, chunk: 64, maxHeaderBytes: 512)
        }
        // A header line that never ends is refused once it passes the bound, not buffered without end.
        let endless = Array("--\(b)\r\nX-Long: ".utf8) + [UInt8](repeating: 0x61, count: 100_000)
        #expect(throws: MultipartStreamParser.SyntaxError.self) {
            _ = try Self.parse(endless, boundary: b, chunk: 4_096, maxHeaderBytes: 16_384)
        }
    }

    @Test func largeContentStreamsThrough() throws {
        var random = SplitMix(seed: 7)
        let content = (0..<3_000_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let body = Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n".utf8)
            + content + Array("\r\n--\(Self.boundary)--\r\n".utf8)
        let parsed = try Self.parse(body, boundary: Self.boundary, chunk: 65_536)
        #expect(parsed.complete && parsed.parts.count == 1 && parsed.parts[0].content == content)
    }

    /// Random bytes, and valid bodies with random bytes changed, cut and chunked at random: each parse ends in
    /// parts or a syntax error, and the process survives.
    @Test func randomBodiesNeverCrash() {
        var random = SplitMix(seed: 2_026)
        var outcomes = (parsed: 0, refused: 0)
        for round in 0..<3_000 {
            var body: [UInt8]
            if round % 3 == 0 {
                body = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                body = Self.sample
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    body[Int.random(in: 0..<body.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                if round % 3 == 2 { body = Array(body[..<Int.random(in: 0...body.count, using: &random)]) }
            }
            let chunk = Int.random(in: 1...64, using: &random)
            do {
                _ = try Self.parse(body, boundary: Self.boundary, chunk: chunk, maxHeaderBytes: 256)
                outcomes.parsed += 1
            } catch is MultipartStreamParser.SyntaxError {
                outcomes.refused += 1
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        // Both outcomes occur: the mutations reach the parser's checks, not only its happy path.
        #expect(outcomes.parsed > 100 && outcomes.refused > 100, "\(outcomes)")
    }
}
