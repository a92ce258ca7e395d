import Foundation
import HTTPTypes
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

/// Answers planned for the next requests that match, once each (a 429 with `Retry-After: 600`,
/// a 500): faults injected in front of the stand-ins, which stay as they are.
public final class Faults: @unchecked Sendable {
    struct Fault {
        var method: String
        var pathContains: String
        var status: Int
        var headers: [String: String]
        var body: String
    }

    private let lock = NSLock()
    private var planned: [Fault] = []
    private var answered: [String] = []

    public init() {}

    /// The next `method` request whose path contains `pathContains` gets this answer instead.
    public func next(_ method: String, pathContains: String, status: Int, headers: [String: String] = [:], body: String = "{}") {
        lock.withLock { planned.append(Fault(method: method, pathContains: pathContains, status: status, headers: headers, body: body)) }
    }

    /// `METHOD path → status` for each fault served.
    public var served: [String] { lock.withLock { answered } }

    func take(_ method: String, _ path: String) -> Fault? {
        lock.withLock {
            guard let index = planned.firstIndex(where: { $0.method == method && path.contains($0.pathContains) }) else { return nil }
            let fault = planned.remove(at: index)
            answered.append("\(method) \(path) → \(fault.status)")
            return fault
        }
    }
}

/// Serves ``Faults`` before the routes.
struct FaultMiddleware<Context: RequestContext>: RouterMiddleware {
    let faults: Faults

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let fault = faults.take(request.method.rawValue, request.uri.path) else { return try await next(request, context) }
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in fault.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
        return Response(status: .init(code: fault.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: fault.body)))
    }
}
