import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP connection on loopback driven byte by byte, as a hostile client drives one: a request
/// head sent a byte at a time, a body that never ends, a connection opened and left idle. An
/// HTTP client library cannot do these; the listener's deadlines are tested with them.
public final class RawSocket: @unchecked Sendable {
    public let descriptor: Int32

    /// Connects to `127.0.0.1:port`; `nil` if the connection is refused or the descriptors run out.
    public init?(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        descriptor = fd
    }

    deinit { Glibc.close(descriptor) }

    /// Sends all of `bytes`; `false` once the peer has closed (EPIPE, ECONNRESET).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// What arrives within `timeout` seconds, until the peer closes or `enough` says so;
    /// `closed` if the peer closed. It waits by sleeping the task, not by blocking in `poll`:
    /// the test process runs every suite on as many threads as there are cores, and a thread
    /// held in `poll` for seconds slows every other test of the run.
    public func receive(timeout: TimeInterval, until enough: ([UInt8]) -> Bool = { _ in false }) async -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return (received, false) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 0) <= 0 {
                try? await Task.sleep(nanoseconds: 10_000_000)
                continue
            }
            let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (received, true) }
            received += buffer[0..<n]
            if enough(received) { return (received, false) }
        }
    }

    /// Whether `bytes` hold a whole HTTP response: its head and as many body bytes as its
    /// `Content-Length` says.
    public static func isWholeResponse(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text[end.upperBound...].utf8.count >= length
    }

    /// Whether the peer has closed the connection (a read would return end of file or an error).
    public var isClosedByPeer: Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }

    /// Raises this process's soft limit on descriptors to its hard limit (a flood needs more
    /// than the usual 1,024); returns the limit now in force.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        return Int(min(limit.rlim_cur, 1 << 30))
    }
}

/// `count` connections opened to a port and held idle; each one the server closes is opened
/// again at once, until ``stop()``: what a client with no secret can do to exhaust a server.
public final class ConnectionFlood: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private var reopened = 0
    private var held = 0
    private let finished = DispatchSemaphore(value: 0)

    public init(port: Int, count: Int) {
        Thread.detachNewThread { [self] in
            var sockets: [RawSocket?] = []
            while sockets.count < count && isRunning { sockets.append(RawSocket(port: port)) }
            while isRunning {
                var open = 0
                for index in sockets.indices {
                    if let socket = sockets[index], !socket.isClosedByPeer {
                        open += 1
                        continue
                    }
                    sockets[index] = RawSocket(port: port)
                    lock.withLock { reopened += 1 }
                }
                lock.withLock { held = open }
                usleep(50_000)
            }
            sockets.removeAll()
            finished.signal()
        }
    }

    private var isRunning: Bool { lock.withLock { running } }

    /// Connections the server closed and the flood opened again.
    public var reconnections: Int { lock.withLock { reopened } }
    /// Connections open at the last look.
    public var open: Int { lock.withLock { held } }

    /// Closes every connection and waits until they are closed.
    public func stop() {
        lock.withLock { running = false }
        finished.wait()
    }
}
