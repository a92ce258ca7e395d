import Crypto
import Foundation
import HTTPTypes
import TowerNet

/// A slash command as Slack sends it to `tower serve`: a form body, signed with the signing
/// secret the way Slack's published vector is (`v0:` + timestamp + `:` + body, HMAC-SHA256).
/// `text` is what follows `/agent`; returns the listener's status.
func postSlashCommand(_ text: String, port: Int, userId: String = "U777", userName: String = "sam", secret: String = "slack-secret") async throws -> Int {
    let stamp = "\(Int(Date().timeIntervalSince1970))"
    var form = URLComponents()
    form.queryItems = [
        URLQueryItem(name: "user_id", value: userId), URLQueryItem(name: "user_name", value: userName), URLQueryItem(name: "command", value: "/agent"),
        URLQueryItem(name: "text", value: text), URLQueryItem(name: "response_url", value: "https://hooks.slack.com/commands/T1/2/3"),
        URLQueryItem(name: "trigger_id", value: UUID().uuidString),
    ]
    // URLComponents leaves `/`, `:` and `+` alone in a query; a form body encodes them.
    let encoded = (form.percentEncodedQuery ?? "").replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: ":", with: "%3A")
        .replacingOccurrences(of: "+", with: "%2B")
    let body = Data(encoded.utf8)
    let signature = HMAC<SHA256>.authenticationCode(for: Data("v0:\(stamp):".utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
    var fields = HTTPFields()
    fields[HTTPField.Name("X-Slack-Request-Timestamp")!] = stamp
    fields[HTTPField.Name("X-Slack-Signature")!] = "v0=" + signature.map { String(format: "%02x", $0) }.joined()
    fields[.contentType] = "application/x-www-form-urlencoded"
    return try await HTTPClient(policy: RetryPolicy(maxAttempts: 1), requestTimeout: 10).send(
        HTTPClientRequest(method: .post, url: URL(string: "http://127.0.0.1:\(port)/webhooks/slack")!, headers: fields, body: body)
    ).status.code
}
