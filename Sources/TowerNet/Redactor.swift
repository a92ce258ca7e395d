import Foundation

/// Takes secrets out of anything that might be logged: header values, URL query parameters and
/// any known secret value wherever it appears. What is left says that something was there.
public struct Redactor: Sendable {
    /// Header names whose values are always secret (lowercase).
    public static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie", "x-hub-signature", "x-hub-signature-256",
        "x-slack-signature", "sentry-hook-signature", "x-amz-security-token", "x-atlassian-token",
    ]
    /// Query parameters whose values are secret (lowercase).
    public static let secretParameters: Set<String> = [
        "token", "access_token", "refresh_token", "api_key", "apikey", "key", "client_secret", "sig", "signature", "x-amz-signature",
        "x-amz-credential", "x-amz-security-token", "password",
    ]

    private let secrets: [String]

    /// - Parameter secrets: values that must never appear (tokens from the configuration);
    ///   values shorter than 6 characters are ignored (they would redact ordinary words).
    public init(secrets: [String] = []) {
        self.secrets = secrets.filter { $0.count >= 6 }.sorted { $0.count > $1.count }
    }

    /// A header value as it may be logged.
    public func header(_ name: String, _ value: String) -> String {
        if Self.secretHeaders.contains(name.lowercased()) {
            let scheme = value.split(separator: " ", maxSplits: 1)
            return scheme.count == 2 && ["bearer", "basic", "token"].contains(scheme[0].lowercased()) ? "\(scheme[0]) ***" : "***"
        }
        return text(value)
    }

    /// Hosts whose URL path is itself the credential (Slack's `response_url`s and incoming
    /// webhooks): everything after the path's first segment is hidden.
    public static let secretPathHosts: Set<String> = ["hooks.slack.com"]

    /// A URL (or any text holding URLs) with secret query parameters, user info and
    /// credential paths hidden.
    public func url(_ url: String) -> String {
        var out = Redaction.secretPath(Redaction.userInfo(url), hosts: Self.secretPathHosts)
        guard let query = out.firstIndex(of: "?") else { return text(out) }
        let head = out[...query]
        var tail = out[out.index(after: query)...]
        var fragment = ""
        if let hash = tail.firstIndex(of: "#") {
            fragment = String(tail[hash...])
            tail = tail[..<hash]
        }
        let parts = tail.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, Self.secretParameters.contains(pair[0].lowercased()) else { return String(part) }
            return "\(pair[0])=***"
        }
        out = String(head) + parts.joined(separator: "&") + fragment
        return text(out)
    }

    /// Any text with every known secret value replaced by `***`.
    public func text(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) { out = out.replacingOccurrences(of: secret, with: "***") }
        return out
    }
}

enum Redaction {
    /// `https://hooks.slack.com/actions/T1/2/secret?x` → `https://hooks.slack.com/actions/***?x`.
    static func secretPath(_ text: String, hosts: Set<String>) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return text }
        let authority = rest[..<slash]
        let host = (authority.split(separator: "@").last ?? authority).split(separator: ":").first.map { $0.lowercased() } ?? ""
        guard hosts.contains(host) else { return text }
        let pathEnd = rest[slash...].firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        let segments = rest[rest.index(after: slash)..<pathEnd].split(separator: "/", maxSplits: 1)
        guard segments.count == 2 else { return text }
        return String(text[..<slash]) + "/" + segments[0] + "/***" + String(rest[pathEnd...])
    }

    /// `scheme://user:password@host` → `scheme://user:***@host`.
    static func userInfo(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let authorityEnd = text[scheme.upperBound...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
        guard let at = text[scheme.upperBound..<authorityEnd].lastIndex(of: "@") else { return text }
        let userinfo = text[scheme.upperBound..<at]
        let user = userinfo.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return String(text[..<scheme.upperBound]) + user + ":***" + String(text[at...])
    }
}
