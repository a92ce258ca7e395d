import Crypto
import Foundation
import TowerCore
import TowerStore

/// What happens to one request before it is answered: verified on its raw bytes, checked for
/// shape, named by the service's delivery id, and made a ``WebhookDelivery`` for the inbox. Pure:
/// the listener writes the delivery durably and answers; nothing here touches the engine.
public enum Intake {
    /// The answer to a request.
    public enum Decision: Equatable, Sendable {
        /// Refused, with the status to answer and why (for the operator; the caller gets less).
        case refused(status: Int, reason: String)
        /// Verified: store it, then answer `reply` (Slack's ephemeral text, GitHub's pong).
        case accepted(WebhookDelivery, reply: String)
    }

    /// The longest delivery id accepted (GitHub's are 36-character GUIDs, Jira's and Slack's shorter).
    public static let maximumIdLength = 200

    public static func decide(
        _ source: WebhookSource, body: Data, header: (String) -> String?, secrets: [String], now: Date
    ) -> Decision {
        let decision = decideVerified(source, body: body, header: header, secrets: secrets, now: now)
        // The sender's trace context, only once the request is verified, and only well-formed.
        guard case .accepted(var delivery, let reply) = decision, let parent = header("traceparent"), TraceParent.isValid(parent) else { return decision }
        delivery.traceParent = parent
        return .accepted(delivery, reply: reply)
    }

    private static func decideVerified(
        _ source: WebhookSource, body: Data, header: (String) -> String?, secrets: [String], now: Date
    ) -> Decision {
        if let refusal = Signatures.verify(source, body: body, header: header, secrets: secrets, now: now) {
            return .refused(status: 401, reason: refusal.description)
        }
        let digest = bodyDigest(body)
        switch source {
        case .github:
            guard let id = header("X-GitHub-Delivery"), !id.isEmpty else { return .refused(status: 400, reason: "no X-GitHub-Delivery header") }
            guard let event = header("X-GitHub-Event"), !event.isEmpty else { return .refused(status: 400, reason: "no X-GitHub-Event header") }
            guard isDeliveryId(id) else { return .refused(status: 400, reason: badId("X-GitHub-Delivery")) }
            guard let json = members(body, "action") else { return .refused(status: 400, reason: "the body is not a JSON object") }
            let action = json["action"]?.string.map { ".\($0)" } ?? ""
            return .accepted(delivery("github-\(id)", source, "\(event)\(action)", body, digest, now), reply: event == "ping" ? "pong" : "received")
        case .jira:
            guard let json = members(body, "webhookEvent") else { return .refused(status: 400, reason: "the body is not a JSON object") }
            let event = json["webhookEvent"]?.string ?? "unknown"
            guard let id = idHeader("X-Atlassian-Webhook-Identifier", header) else { return .refused(status: 400, reason: badId("X-Atlassian-Webhook-Identifier")) }
            return .accepted(delivery("jira-\(id ?? "sha256-\(digest.prefix(32))")", source, event, body, digest, now), reply: "received")
        case .sentry:
            guard let json = members(body, "action") else { return .refused(status: 400, reason: "the body is not a JSON object") }
            let resource = header("Sentry-Hook-Resource") ?? "unknown"
            guard let id = idHeader("Request-ID", header) else { return .refused(status: 400, reason: badId("Request-ID")) }
            return .accepted(
                delivery("sentry-\(id ?? "sha256-\(digest.prefix(32))")", source, "\(resource).\(json["action"]?.string ?? "unknown")", body, digest, now), reply: "received")
        case .slack:
            guard let form = FormBody(body), let command = form["command"] else { return .refused(status: 400, reason: "not a slash command form") }
            // A retry (X-Slack-Retry-Num) carries the same trigger: it lands on the same inbox row.
            let trigger = form["trigger_id"].flatMap { $0.isEmpty ? nil : $0 }
            guard trigger.map(isDeliveryId) ?? true else { return .refused(status: 400, reason: badId("trigger_id")) }
            let text = (form["text"] ?? "").trimmingCharacters(in: .whitespaces)
            return .accepted(
                delivery("slack-\(trigger ?? "sha256-\(digest.prefix(32))")", source, "command \(command)", body, digest, now),
                reply: SlackReplies.acknowledgement(command: command, text: text))
        case .slackInteraction:
            guard let form = FormBody(body), let payload = form["payload"], let json = object(Data(payload.utf8)) else {
                return .refused(status: 400, reason: "not an interaction form with a JSON payload")
            }
            let type = json["type"]?.string ?? "unknown"
            let action: String? = {
                if case .array(let actions)? = json["actions"] { return actions.first?["action_ts"]?.string }
                return nil
            }()
            guard let id = json["trigger_id"]?.string ?? action else {
                return .accepted(delivery("slack-sha256-\(digest.prefix(32))", source, "interaction \(type)", body, digest, now), reply: "")
            }
            guard isDeliveryId(id) else { return .refused(status: 400, reason: badId("trigger_id")) }
            return .accepted(delivery("slack-\(id)", source, "interaction \(type)", body, digest, now), reply: "")
        }
    }

    /// Whether `id` can name a delivery: printable ASCII, at most ``maximumIdLength`` bytes. Ids
    /// are compared as text, so bytes that are not ASCII could make two distinct ids one.
    public static func isDeliveryId(_ id: String) -> Bool {
        let bytes = id.utf8
        return !bytes.isEmpty && bytes.count <= maximumIdLength && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// An optional id header: `.some(nil)` when absent or empty, `nil` when present but not an id.
    private static func idHeader(_ name: String, _ header: (String) -> String?) -> String?? {
        guard let value = header(name), !value.isEmpty else { return .some(nil) }
        return isDeliveryId(value) ? .some(value) : nil
    }

    private static func badId(_ name: String) -> String {
        "\(name) is not printable ASCII of at most \(maximumIdLength) bytes"
    }

    static func delivery(_ id: String, _ source: WebhookSource, _ event: String, _ body: Data, _ digest: String, _ now: Date) -> WebhookDelivery {
        WebhookDelivery(
            id: id, source: source.rawValue, event: String(event.prefix(120)), body: body, receivedAt: now, bodyDigest: "\(source.rawValue)-\(digest)")
    }

    /// The whole body, parsed (the router's reading, after the answer).
    static func object(_ body: Data) -> JSONValue? {
        guard let json = try? JSONValue.parse(body), case .object = json else { return nil }
        return json
    }

    /// Only the top-level members the answer needs; the rest of the body is checked, not built.
    static func members(_ body: Data, _ keys: String...) -> [String: JSONValue]? {
        JSONReader.members(body, Set(keys))
    }

    /// The signed body's SHA-256, hex: the replay key, whatever id the request carries.
    static func bodyDigest(_ body: Data) -> String {
        Hex.encode(SHA256.hash(data: body))
    }
}

/// An `application/x-www-form-urlencoded` body's fields (Slack's slash commands and buttons),
/// read byte by byte: Foundation's `removingPercentEncoding` and `replacingOccurrences` went
/// through UTF-16 and took most of the time of answering a Slack button.
struct FormBody {
    let fields: [String: String]

    /// `nil` when the body is not UTF-8 or a name's percent-encoding is broken. Empty pairs
    /// (`&&`, a leading or trailing `&`) are skipped; `=value` has the empty name; a value whose
    /// encoding is broken is the empty string.
    init?(_ body: Data) {
        var fields: [String: String] = [:]
        let parsed = body.withUnsafeBytes { raw -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard UTF8Text.isValid(bytes) else { return false }
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
                let pair = bytes[start..<end]
                start = end + 1
                guard !pair.isEmpty else { continue }
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
                guard let name = Self.decode(pair[pair.startIndex..<equals]) else { return false }
                fields[name] = equals < pair.endIndex ? Self.decode(pair[(equals + 1)..<pair.endIndex]) ?? "" : ""
            }
            return true
        }
        guard parsed else { return nil }
        self.fields = fields
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// `+` as a space and `%XX` as its byte; `nil` for a `%` without two hex digits after it, or
    /// bytes that are not UTF-8 once decoded.
    static func decode(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x61...0x66: byte - 0x57
            case 0x41...0x46: byte - 0x37
            default: nil
            }
        }
        var decoded = [UInt8]()
        decoded.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "+"):
                decoded.append(0x20)
                i += 1
            case UInt8(ascii: "%"):
                guard i + 2 < bytes.endIndex, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) else { return nil }
                decoded.append(high << 4 | low)
                i += 3
            default:
                decoded.append(byte)
                i += 1
            }
        }
        return decoded.withUnsafeBufferPointer(UTF8Text.string)
    }
}
