import Foundation
import HTTPTypes
import TowerCore

/// A request as the service clients build it.
public struct HTTPClientRequest: Sendable {
    public var method: HTTPRequest.Method
    public var url: URL
    public var headers: HTTPFields
    public var body: Data?
    /// Limit for the whole exchange, body included.
    public var timeout: TimeInterval
    /// Limit for connecting (name lookup, TCP, TLS).
    public var connectTimeout: TimeInterval
    /// Makes a non-idempotent request safe to repeat (sent as `Idempotency-Key`).
    public var idempotencyKey: String?
    /// The most body bytes accepted; a larger answer fails with ``HTTPClientError/tooLarge(host:limit:)``
    /// instead of filling memory.
    public var maxResponseBytes: Int
    /// The path's template (`/repos/{owner}/{repo}/pulls`): what names the call in a trace, which
    /// never carries the URL itself. `nil`: the span is named by the method alone.
    public var route: String?

    public init(
        method: HTTPRequest.Method = .get, url: URL, headers: HTTPFields = [:], body: Data? = nil, timeout: TimeInterval = 30,
        connectTimeout: TimeInterval = 10, idempotencyKey: String? = nil, maxResponseBytes: Int = 256 << 20, route: String? = nil
    ) {
        self.route = route
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.idempotencyKey = idempotencyKey
        self.maxResponseBytes = maxResponseBytes
    }
}

/// A response's status line and headers (of the last response, after redirects).
public struct HTTPClientHead: Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status, headers: HTTPFields) {
        self.status = status
        self.headers = headers
    }
}

/// A whole response.
public struct HTTPClientResponse: Sendable, Equatable {
    public var head: HTTPClientHead
    public var body: Data

    public var status: HTTPResponse.Status { head.status }
    public var headers: HTTPFields { head.headers }
}

/// Why an exchange failed below HTTP. Messages name the host, never a secret.
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case couldNotConnect(host: String, reason: String)
    case timedOut(host: String, after: TimeInterval)
    case connectionLost(host: String, reason: String)
    case invalidRequest(String)
    case gaveUp(host: String, reason: String)
    /// The answer's body passed the request's `maxResponseBytes`.
    case tooLarge(host: String, limit: Int)

    public var description: String {
        switch self {
        case .couldNotConnect(let host, let reason): "cannot connect to \(host): \(reason)"
        case .timedOut(let host, let after): "\(host) did not answer within \(after >= 1 ? "\(Int(after.rounded())) s" : "\(Int((after * 1000).rounded())) ms")"
        case .connectionLost(let host, let reason): "connection to \(host) lost: \(reason)"
        case .invalidRequest(let reason): "invalid request: \(reason)"
        case .gaveUp(let host, let reason): "\(host): \(reason)"
        case .tooLarge(let host, let limit): "\(host) answered with more than \(ByteSize.short(limit)); the rest was not read"
        }
    }

    /// The retry policy's view of the failure (`nil`: not a network failure).
    public var transportFailure: RetryPolicy.TransportFailure? {
        switch self {
        case .couldNotConnect: .couldNotConnect
        case .timedOut: .timedOut
        case .connectionLost: .connectionLost
        case .invalidRequest, .gaveUp, .tooLarge: nil
        }
    }
}
