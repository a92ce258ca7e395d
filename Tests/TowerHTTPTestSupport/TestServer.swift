import Foundation
import Hummingbird
import Logging
import NIOCore

/// A Hummingbird server on a free loopback port for one test; stops when the test's task ends.
public struct TestServer {
    public let base: URL
    let task: Task<Void, any Error>

    /// `recording`: every request is kept there, body and all (a contract test reads them).
    /// `faults`: answers planned for the next matching requests, served before the routes.
    public static func start(recording: RequestLog? = nil, faults: Faults? = nil, _ routes: (Router<BasicRequestContext>) -> Void) async throws -> TestServer {
        let router = Router()
        if let recording { router.add(middleware: RecordingMiddleware(log: recording)) }
        if let faults { router.add(middleware: FaultMiddleware(faults: faults)) }
        routes(router)
        let (port, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "tower-test-server")
        logger.logLevel = .critical  // stopping by cancellation is expected; do not report it
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = port.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else { throw CancellationError() }
        return TestServer(base: URL(string: "http://127.0.0.1:\(bound)")!, task: task)
    }

    public func url(_ path: String) -> URL { URL(string: base.absoluteString + path)! }

    public func stop() { task.cancel() }
}

/// Counts what a server saw, across its handler calls.
public final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []

    public init() {}

    public func add(_ value: String) { lock.withLock { values.append(value) } }
    public var all: [String] { lock.withLock { values } }
    public var count: Int { all.count }
}
