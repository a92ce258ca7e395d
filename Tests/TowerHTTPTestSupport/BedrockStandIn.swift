import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TowerCore
import TowerLLM

/// A Bedrock runtime stand-in that speaks `InvokeModelWithResponseStream` as AWS does: it checks
/// each request's SigV4 signature against the keys it knows (computing the signature again from
/// what arrived), refuses an unknown key or a bad signature with AWS's error shapes, and
/// streams the answer as event-stream `chunk` frames with real CRCs, each carrying one
/// Messages API event base64-encoded. `plan` may throttle the next requests first.
public final class BedrockStandIn: @unchecked Sendable {
    /// The Messages API events (JSON objects) answering a request body.
    public typealias Answer = @Sendable (JSONValue) -> [JSONValue]

    private let lock = NSLock()
    private var requests: [(path: String, headers: HTTPFields, body: JSONValue)] = []
    private var throttles: Int
    private var midStreamThrottles: Int
    let keys: [String: String]
    let answer: Answer
    public private(set) var server: TestServer?

    public init(keys: [String: String], throttle: Int = 0, throttleMidStream: Int = 0, answer: @escaping Answer) {
        self.keys = keys
        self.throttles = throttle
        self.midStreamThrottles = throttleMidStream
        self.answer = answer
    }

    public var base: URL { server!.base }
    public var received: [(path: String, headers: HTTPFields, body: JSONValue)] { lock.withLock { requests } }

    /// On a server of its own.
    public func start() async throws {
        server = try await TestServer.start { router in routes(router) }
    }

    /// On a shared server, under `prefix` (`/bedrock`): the runtime's streaming call, and the
    /// control plane's model list that `tower doctor` asks.
    public func routes(_ router: Router<BasicRequestContext>, prefix: String = "", seen: Counter? = nil) {
        router.post("\(prefix)/model/:model/invoke-with-response-stream") { request, _ -> Response in
            seen?.add("\(request.method) \(request.uri.path)")
            let body = Data(buffer: try await request.body.collect(upTo: 8 << 20))
            return self.respond(path: request.uri.path, host: request.head.authority ?? "", headers: request.headers, body: body)
        }
        router.get("\(prefix)/foundation-models") { request, _ -> Response in
            seen?.add("\(request.method) \(request.uri.path)")
            let target = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
            if let refusal = self.refusal(method: "GET", target: target, host: request.head.authority ?? "", headers: request.headers, body: Data()) { return refusal }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"modelSummaries":[{"modelId":"anthropic.claude-sonnet-4-20250514-v1:0","providerName":"Anthropic"}]}"#)))
        }
    }

    public func stop() { server?.stop() }

    func error(_ status: HTTPResponse.Status, _ type: String, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", HTTPField.Name("x-amzn-ErrorType")!: "\(type):http://internal.amazon.com/coral/com.amazon.bedrock/"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"message":"\#(message)"}"#)))
    }

    func respond(path: String, host: String, headers: HTTPFields, body: Data) -> Response {
        if let refusal = refusal(method: "POST", target: path, host: host, headers: headers, body: body) { return refusal }
        return answer(path: path, headers: headers, body: body)
    }

    /// AWS's answer to a request whose key is unknown or whose signature does not hold, or nil.
    func refusal(method: String, target: String, host: String, headers: HTTPFields, body: Data) -> Response? {
        guard let authorization = headers[.authorization], let date = headers[HTTPField.Name("x-amz-date")!],
            let credential = authorization.range(of: "Credential=").map({ authorization[$0.upperBound...].prefix { $0 != "/" } }),
            let signedList = authorization.range(of: "SignedHeaders=").map({ authorization[$0.upperBound...].prefix { $0 != "," } })
        else { return error(.forbidden, "MissingAuthenticationTokenException", "Missing Authentication Token") }
        guard let secret = keys[String(credential)] else {
            return error(.forbidden, "UnrecognizedClientException", "The security token included in the request is invalid.")
        }
        // Sign what arrived again, with the secret this key has.
        var signed: [String: String] = [:]
        for name in signedList.split(separator: ";") where !["host", "x-amz-date", "x-amz-security-token"].contains(String(name)) {
            if let value = headers[HTTPField.Name(String(name))!] { signed[String(name)] = value }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let region = authorization.components(separatedBy: "/").dropFirst(2).first ?? ""
        let signer = SigV4(
            credentials: AWSCredentials(accessKeyId: String(credential), secretAccessKey: secret, sessionToken: headers[HTTPField.Name("x-amz-security-token")!], source: "stand-in"),
            region: region, service: "bedrock")
        let expected = signer.sign(method: method, url: URL(string: "http://\(host)\(target)")!, headers: signed, body: body, date: formatter.date(from: date) ?? Date())
        guard expected["Authorization"] == authorization else {
            return error(
                .forbidden, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
        }
        return nil
    }

    func answer(path: String, headers: HTTPFields, body: Data) -> Response {
        guard let json = try? JSONValue.parse(body), json["anthropic_version"]?.string == "bedrock-2023-05-31", json["model"] == nil else {
            return error(.badRequest, "ValidationException", "Malformed input request: anthropic_version is required, model is not allowed")
        }
        let (throttled, midStream) = lock.withLock { () -> (Bool, Bool) in
            requests.append((path, headers, json))
            if throttles > 0 {
                throttles -= 1
                return (true, false)
            }
            if midStreamThrottles > 0 {
                midStreamThrottles -= 1
                return (false, true)
            }
            return (false, false)
        }
        if throttled { return error(.tooManyRequests, "ThrottlingException", "Too many requests, please wait before trying again.") }
        var frames = Data()
        if midStream {
            frames = EventStreamDecoder.encode(
                EventStreamMessage(
                    headers: [":message-type": .string("exception"), ":exception-type": .string("throttlingException"), ":content-type": .string("application/json")],
                    payload: Data(#"{"message":"Too many requests, please wait before trying again."}"#.utf8)))
        } else {
            for event in answer(json) {
                let encoded = (try? JSONEncoder().encode(event)) ?? Data()
                let payload = Data(#"{"bytes":"\#(encoded.base64EncodedString())"}"#.utf8)
                frames += EventStreamDecoder.encode(
                    EventStreamMessage(headers: [":event-type": .string("chunk"), ":content-type": .string("application/json"), ":message-type": .string("event")], payload: payload))
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/vnd.amazon.eventstream"], body: .init(byteBuffer: ByteBuffer(data: frames)))
    }

    /// The Messages API events of a forced tool call answering with `input`.
    public static func toolCall(_ name: String, input: JSONValue, inputTokens: Int = 120, outputTokens: Int = 40) -> [JSONValue] {
        let json = String(decoding: (try? JSONEncoder().encode(input)) ?? Data("{}".utf8), as: UTF8.self)
        let middle = json.index(json.startIndex, offsetBy: json.count / 2)
        return [
            ["type": "message_start", "message": ["id": "msg_bdrk_1", "type": "message", "role": "assistant", "content": [], "usage": ["input_tokens": .number(Double(inputTokens)), "output_tokens": 1]]],
            ["type": "content_block_start", "index": 0, "content_block": ["type": "tool_use", "id": "toolu_bdrk_1", "name": .string(name), "input": [:]]],
            ["type": "content_block_delta", "index": 0, "delta": ["type": "input_json_delta", "partial_json": .string(String(json[..<middle]))]],
            ["type": "content_block_delta", "index": 0, "delta": ["type": "input_json_delta", "partial_json": .string(String(json[middle...]))]],
            ["type": "content_block_stop", "index": 0],
            ["type": "message_delta", "delta": ["stop_reason": "tool_use"], "usage": ["output_tokens": .number(Double(outputTokens))]],
            ["type": "message_stop", "amazon-bedrock-invocationMetrics": ["inputTokenCount": .number(Double(inputTokens)), "outputTokenCount": .number(Double(outputTokens))]],
        ]
    }
}
