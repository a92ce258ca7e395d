import Foundation
import Hummingbird
import NIOCore

/// One request a test server received, whole: what a contract test checks against a service's
/// published description.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var contentType: String?
    public var body: Data
    public var status: Int

    public init(method: String, path: String, query: [(name: String, value: String)], contentType: String?, body: Data, status: Int) {
        self.method = method
        self.path = path
        self.query = query
        self.contentType = contentType
        self.body = body
        self.status = status
    }
}

/// Every request a test server received, in order.
public final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [RecordedRequest] = []

    public init() {}

    public func add(_ request: RecordedRequest) { lock.withLock { recorded.append(request) } }
    public var all: [RecordedRequest] { lock.withLock { recorded } }
}

/// Records each request (its body read once, then handed on) and the status it was answered with.
struct RecordingMiddleware<Context: RequestContext>: RouterMiddleware {
    let log: RequestLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 << 20)
        let response = try await next(request, context)
        let query = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
        log.add(
            RecordedRequest(
                method: request.method.rawValue, path: request.uri.path, query: query, contentType: request.headers[.contentType],
                body: Data(buffer.readableBytesView), status: Int(response.status.code)))
        return response
    }
}
