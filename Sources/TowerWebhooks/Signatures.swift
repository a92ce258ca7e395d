import Crypto
import Foundation

/// Each service's signing scheme, checked on the raw body bytes before anything is parsed.
/// Every comparison is HMAC's own constant-time check; a route with no secret refuses all.
public enum Signatures {
    /// Why a request is not accepted as coming from the service.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case noSecret(String)
        case missingHeader(String)
        case malformedHeader(String)
        case staleTimestamp(seconds: Int)
        case mismatch

        public var description: String {
            switch self {
            case .noSecret(let key): "\(key) is not set: this route refuses every request"
            case .missingHeader(let name): "no \(name) header"
            case .malformedHeader(let name): "\(name) is not in the service's format"
            case .staleTimestamp(let seconds): "the signed timestamp is \(seconds) s away from now (at most 300 either way)"
            case .mismatch: "the signature does not match any configured secret"
            }
        }
    }

    /// How far a signed timestamp may be from now, either way.
    public static let window: TimeInterval = 300

    /// Whether `hex` is the HMAC-SHA256 of `message` under one of `secrets`, compared in constant time.
    static func matches(hex: String, message: Data, secrets: [String]) -> Bool {
        guard let code = Data(hexString: hex), code.count == SHA256.byteCount else { return false }
        var any = false
        for secret in secrets {
            // Every secret is tried, so the time taken does not say which one matched.
            if HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: SymmetricKey(data: Data(secret.utf8))) { any = true }
        }
        return any
    }

    /// Verifies a request for `source`. `header` reads a header by name (case-insensitive).
    public static func verify(_ source: WebhookSource, body: Data, header: (String) -> String?, secrets: [String], now: Date) -> Refusal? {
        guard !secrets.isEmpty else { return .noSecret(source.secretKey) }
        switch source {
        case .github:
            return prefixed("X-Hub-Signature-256", "sha256=", body: body, header: header, secrets: secrets)
        case .jira:
            return prefixed("X-Hub-Signature", "sha256=", body: body, header: header, secrets: secrets)
        case .sentry:
            guard let signature = header("Sentry-Hook-Signature") else { return .missingHeader("Sentry-Hook-Signature") }
            guard let stamp = header("Sentry-Hook-Timestamp") else { return .missingHeader("Sentry-Hook-Timestamp") }
            if let stale = stale(stamp, now: now) { return stale }
            return matches(hex: signature.trimmingCharacters(in: .whitespaces), message: body, secrets: secrets) ? nil : .mismatch
        case .slack, .slackInteraction:
            guard let signature = header("X-Slack-Signature") else { return .missingHeader("X-Slack-Signature") }
            guard let stamp = header("X-Slack-Request-Timestamp") else { return .missingHeader("X-Slack-Request-Timestamp") }
            guard signature.hasPrefix("v0=") else { return .malformedHeader("X-Slack-Signature") }
            if let stale = stale(stamp, now: now) { return stale }
            var base = Data("v0:\(stamp.trimmingCharacters(in: .whitespaces)):".utf8)
            base.append(body)
            return matches(hex: String(signature.dropFirst(3)), message: base, secrets: secrets) ? nil : .mismatch
        }
    }

    private static func prefixed(_ name: String, _ prefix: String, body: Data, header: (String) -> String?, secrets: [String]) -> Refusal? {
        guard let value = header(name) else { return .missingHeader(name) }
        guard value.hasPrefix(prefix) else { return .malformedHeader(name) }
        return matches(hex: String(value.dropFirst(prefix.count)), message: body, secrets: secrets) ? nil : .mismatch
    }

    private static func stale(_ stamp: String, now: Date) -> Refusal? {
        guard let seconds = Double(stamp.trimmingCharacters(in: .whitespaces)), seconds.isFinite else { return .malformedHeader("timestamp") }
        let away = abs(now.timeIntervalSince1970 - seconds)
        return away > window ? .staleTimestamp(seconds: Int(min(away, 1e12))) : nil
    }

    /// The secrets a setting holds: several, comma-separated, while one is being rotated.
    public static func secrets(_ setting: String?) -> [String] {
        (setting ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension Data {
    /// Bytes from hexadecimal text, or `nil` if it is not an even run of hex digits.
    init?(hexString: String) {
        let chars = Array(hexString.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var i = 0
        while i < chars.count {
            guard let high = nibble(chars[i]), let low = nibble(chars[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        self.init(bytes)
    }
}
