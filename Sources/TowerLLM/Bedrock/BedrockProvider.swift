import Foundation
import HTTPTypes
import TowerCore
import TowerNet

/// Claude on Amazon Bedrock, as the original's AWS mode runs it: `InvokeModelWithResponseStream`
/// with the Messages API's own body. Chosen over `ConverseStream` because the body and the
/// streamed events are Anthropic's, so a forced tool, the repair turn, `cache_control` and usage
/// mean exactly what they mean on Anthropic's API, through the same reader; Converse would
/// translate every one of them. Requests are signed with SigV4 (``SigV4``) from the SDKs'
/// credential chain, or carry a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`). Throttling,
/// a model not ready and an unavailable service are retried with backoff; access denied and
/// validation errors are permanent, in the service's words.
public struct BedrockProvider: LLMProvider {
    public enum Authentication: Sendable {
        case sigV4(AWSCredentialChain)
        /// A Bedrock API key, sent as a bearer token.
        case bearer(String)
    }

    public let region: String
    /// `https://bedrock-runtime.REGION.amazonaws.com`, or `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`.
    public let endpoint: URL
    public let authentication: Authentication
    let transport: CurlTransport
    let policy: RetryPolicy
    let http: HTTPClient
    let sleep: @Sendable (TimeInterval) async throws -> Void
    let now: @Sendable () -> Date

    public init(
        region: String, endpoint: URL? = nil, authentication: Authentication, transport: CurlTransport = .shared, policy: RetryPolicy = RetryPolicy(),
        http: HTTPClient? = nil, sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64(max(0, $0) * 1e9)) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.region = region
        self.endpoint = endpoint ?? URL(string: "https://bedrock-runtime.\(region).amazonaws.com")!
        self.authentication = authentication
        self.transport = transport
        self.policy = policy
        self.http = http ?? HTTPClient(transport: transport, policy: policy)
        self.sleep = sleep
        self.now = now
    }

    /// The Messages API body as Bedrock takes it: no `model` (it is in the path), no `stream`
    /// (the operation streams), and Bedrock's `anthropic_version`.
    func body(_ request: LLMRequest) throws -> Data {
        var object = AnthropicProvider.messagesBody(request)
        object["model"] = nil
        object["stream"] = nil
        object["anthropic_version"] = .string("bedrock-2023-05-31")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(JSONValue.object(object))
    }

    /// The operation's URL: the model id (which holds `:`, or is an ARN with `/`) encoded as one
    /// path segment.
    func url(model: String) -> URL {
        let base = endpoint.absoluteString.hasSuffix("/") ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
        return URL(string: "\(base)/model/\(SigV4.encode(model, keepSlash: false))/invoke-with-response-stream")!
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        providerStream { try await run(request, $0) }
    }

    /// The request's headers, signed now (each attempt is signed again: a signature is good for
    /// five minutes, and temporary credentials may have been renewed).
    func headers(url: URL, body: Data) async throws -> HTTPFields {
        var plain = ["Content-Type": "application/json", "Accept": "application/vnd.amazon.eventstream", "X-Amzn-Bedrock-Accept": "application/json"]
        switch authentication {
        case .bearer(let key): plain["Authorization"] = "Bearer \(key)"
        case .sigV4(let chain):
            let credentials: AWSCredentials
            do { credentials = try await chain.credentials() } catch let error as AWSCredentialsError {
                throw LLMError.notConfigured("Bedrock: \(error.description)")
            }
            let signer = SigV4(credentials: credentials, region: region, service: "bedrock")
            for (name, value) in signer.sign(method: "POST", url: url, headers: plain, body: body, date: now()) { plain[name] = value }
        }
        var fields = HTTPFields()
        for (name, value) in plain { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    private func run(_ request: LLMRequest, _ out: AsyncThrowingStream<LLMStreamEvent, any Error>.Continuation) async throws {
        let body = try body(request)
        let url = url(model: request.model)
        let post = StreamedPost(transport: transport, policy: policy, http: http, sleep: sleep)
        var midStreamAttempt = 0
        while true {
            let answer = try await post.send(
                { HTTPClientRequest(method: .post, url: url, headers: try await headers(url: url, body: body), body: body, timeout: 600) },
                retry: { head, data, attempt in
                    Self.retryable(Self.error(head, data)) ? retryWait(head: head, attempt: attempt) : nil
                })
            switch answer {
            case .refused(let head, let data): throw Self.error(head, data)
            case .stream(let stream):
                do {
                    try await decode(stream, into: out)
                    return
                } catch let error as LLMError where Self.retryable(error) {
                    // An exception frame before any answer (throttled after the stream opened) is
                    // tried again like one before it; after, what was passed on cannot be taken back.
                    midStreamAttempt += 1
                    guard case .api(_, _, let message) = error, message.hasPrefix(Self.beforeAnswer),
                        let wait = retryWait(head: nil, attempt: midStreamAttempt)
                    else { throw error }
                    try await sleep(wait)
                }
            }
        }
    }

    /// An error answer in the service's words (`x-amzn-ErrorType`, the body's message).
    static func error(_ head: HTTPClientHead, _ data: Data) -> LLMError {
        apiError(status: head.status.code, type: head.headers[HTTPField.Name("x-amzn-ErrorType")!], body: data)
    }

    static let beforeAnswer = "(before any answer) "

    /// The backoff for another attempt, or nil when the attempts are spent.
    func retryWait(head: HTTPClientHead?, attempt: Int) -> TimeInterval? {
        let outcome: RetryPolicy.Outcome = .response(head?.status ?? .tooManyRequests, head?.headers ?? HTTPFields())
        if case .retry(let wait, _) = policy.decide(method: .post, safeToRepeat: true, outcome: outcome, attempt: attempt, now: Date(), random: .random(in: 0..<1)) {
            return wait
        }
        return nil
    }

    /// Throttling, a model still loading, an unavailable or failing service: worth another try.
    static func retryable(_ error: LLMError) -> Bool {
        guard case .api(_, let type, _) = error else { return false }
        return ["ThrottlingException", "ModelNotReadyException", "ServiceUnavailableException", "InternalServerException", "ModelStreamErrorException"]
            .contains(type)
    }

    /// The service's error: its type from `x-amzn-ErrorType` (or the body's `__type`), its
    /// message from the body, never the request.
    static func apiError(status: Int?, type: String?, body: Data) -> LLMError {
        let json = try? JSONValue.parse(body)
        let raw = type ?? json?["__type"]?.string ?? "HTTP\(status ?? 0)"
        // `ThrottlingException:http://internal.amazon.com/coral/…` or `com.amazon…#ThrottlingException`.
        let name = raw.split(separator: ":").first.map(String.init)?.split(separator: "#").last.map(String.init) ?? raw
        let message = json?["message"]?.string ?? json?["Message"]?.string ?? String(decoding: body.prefix(300), as: UTF8.self)
        return .api(status: status, type: name, message: message)
    }

    private func decode(_ body: AsyncThrowingStream<Data, any Error>, into out: AsyncThrowingStream<LLMStreamEvent, any Error>.Continuation) async throws {
        var frames = EventStreamDecoder()
        var reader = AnthropicEventReader()
        for try await chunk in body {
            for message in try frames.feed(chunk) {
                switch message.messageType {
                case "event":
                    guard message.headers[":event-type"]?.string == "chunk", let part = try? JSONValue.parse(message.payload),
                        let encoded = part["bytes"]?.string, let bytes = Data(base64Encoded: encoded), let event = try? JSONValue.parse(bytes)
                    else { continue }
                    if try reader.read(event, into: out) { return }
                case "exception", "error":
                    let type = message.headers[":exception-type"]?.string ?? message.headers[":error-code"]?.string ?? "ModelStreamErrorException"
                    let name = type.prefix(1).uppercased() + type.dropFirst()
                    var error = Self.apiError(status: nil, type: name, body: message.payload)
                    if case .api(let status, let type, let text) = error, !reader.started { error = .api(status: status, type: type, message: Self.beforeAnswer + text) }
                    throw error
                default:
                    continue
                }
            }
        }
        throw LLMError.incomplete("the Bedrock stream ended before message_stop")
    }
}
