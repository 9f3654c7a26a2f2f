import CairnHTTP
import Foundation
import Glibc
import Synchronization

extension _StubServerCore {
    /// Serves requests on one connection until the client closes it, a response closes it, or the server stops.
    func serve(connection fd: Int32, id: Int) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        while let request = readRequest(fd, &buffer, connection: id) {
            let response = handler(request)
            let keepGoing = wait(response.delay)
            // Counted as answered before the first byte goes out: the client may send its next request
            // (perhaps on another connection) as soon as it has this response.
            state.withLock { $0.inFlight -= 1 }
            guard keepGoing, deliver(response, on: fd), request.headers["connection"]?.lowercased() != "close" else {
                return
            }
        }
    }

    /// Reads one request (head and `Content-Length` body) and logs it; nil when the connection ends first.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8], connection: Int) -> StubHTTPRequest? {
        var headEnd = Self.find([13, 10, 13, 10], in: buffer)
        while headEnd == nil {
            guard receive(fd, into: &buffer) else { return nil }
            // Not HTTP (e.g. a TLS ClientHello): hang up, as a plain HTTP server would.
            guard let first = buffer.first, (65...90).contains(first) else { return nil }
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3 else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.add(String(line[..<colon]), String(value))
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            guard sendAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return nil }
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length {
            guard receive(fd, into: &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return state.withLock { state in
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            let request = StubHTTPRequest(
                sequence: state.log.count, connection: connection, method: String(requestLine[0]),
                path: String(requestLine[1]), headers: headers, body: body, receivedAt: .now,
                inFlight: state.inFlight)
            state.log.append(request)
            return request
        }
    }

    /// Appends what the client sent next; false at end of stream, on error, or when the server stops.
    private func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        while !isStopping {
            guard Self.waitReadable(fd, milliseconds: 20) else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[..<count])
            return true
        }
        return false
    }

    /// Sends `response` as its action says; false when the connection must be closed afterwards.
    private func deliver(_ response: StubHTTPResponse, on fd: Int32) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(StubHTTPResponse.reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\n\r\n"
        switch response.action {
        case .respond:
            return sendAll(fd, Array(head.utf8) + response.body)
        case .cutBody(let bytes):
            _ = sendAll(fd, Array(head.utf8) + response.body.prefix(bytes))
            return false
        case .close:
            return false
        }
    }

    /// Sleeps for `delay` in short slices; false if the server stopped meanwhile.
    private func wait(_ delay: Duration) -> Bool {
        let deadline = ContinuousClock.now + delay
        while ContinuousClock.now < deadline {
            if isStopping { return false }
            usleep(2_000)
        }
        return !isStopping
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a client that gave up (timed out) must not kill the test process with SIGPIPE.
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}
