import Foundation
import Glibc
import Synchronization

/// The listening socket, threads and request log behind a ``StubHTTPServer``.
///
/// Threads hold the core, not the server, so releasing the server stops them.
final class _StubServerCore: Sendable {
    struct State {
        var stopping = false
        var connections = 0
        var log: [StubHTTPRequest] = []
        var inFlight = 0
        var maxInFlight = 0
    }

    let port: UInt16
    let listener: Int32
    let handler: StubHTTPServer.Handler
    let state = Mutex(State())

    init(handler: @escaping StubHTTPServer.Handler) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StubServerError("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw StubServerError("bind/listen 127.0.0.1:0", code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        self.handler = handler
    }

    deinit {
        close(listener)
    }

    func start() {
        spawn { $0.acceptLoop() }
    }

    /// Stops accepting and makes every connection thread close its socket within a poll interval (20 ms).
    /// Does not wait: blocking here would stall a Swift concurrency thread, and the threads need nothing
    /// from the caller to finish.
    func stop() {
        state.withLock { $0.stopping = true }
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    private func acceptLoop() {
        while !isStopping {
            guard Self.waitReadable(listener, milliseconds: 20) else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var one: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let id = state.withLock { state in
                defer { state.connections += 1 }
                return state.connections
            }
            spawn { $0.serve(connection: connection, id: id) }
        }
    }

    /// Runs `body` on a new thread, which keeps the core (and its listening socket) alive until it returns.
    private func spawn(_ body: @escaping @Sendable (_StubServerCore) -> Void) {
        Thread.detachNewThread { [self] in body(self) }
    }

    /// Whether `fd` became readable (or closed) within `milliseconds`.
    static func waitReadable(_ fd: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }
}
