import Foundation
import Testing

@testable import TowerWebhooks

@Suite struct SignatureTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    func headers(_ fields: [String: String]) -> (String) -> String? {
        { name in fields.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    @Test func githubsPublishedTestVectorVerifies() {
        let vector = WebhookFixtures.json("github/signature_vector.json")
        let secret = vector["secret"] as! String
        let body = Data((vector["payload"] as! String).utf8)
        let header = vector["X-Hub-Signature-256"] as! String
        #expect(Signatures.verify(.github, body: body, header: headers(["X-Hub-Signature-256": header]), secrets: [secret], now: Self.now) == nil)
        #expect(Signatures.verify(.github, body: body + Data("!".utf8), header: headers(["X-Hub-Signature-256": header]), secrets: [secret], now: Self.now) == .mismatch)
    }

    @Test func slacksDocumentedExampleVerifiesAtItsTimeAndNotFiveMinutesAndASecondLater() {
        let vector = WebhookFixtures.json("slack/signature_vector.json")
        let secret = vector["signing_secret"] as! String
        let fields = vector["headers"] as! [String: String]
        let body = WebhookFixtures.data("slack/slash_command.signed-example.form.txt")
        let stamp = Double(fields["X-Slack-Request-Timestamp"]!)!
        // The signature computed here, independently: v0=HMAC(secret, "v0:ts:body").
        let independent = "v0=" + WebhookFixtures.hmac(Data("v0:\(fields["X-Slack-Request-Timestamp"]!):".utf8) + body, secret)
        #expect(independent == fields["X-Slack-Signature"])
        #expect(Signatures.verify(.slack, body: body, header: headers(fields), secrets: [secret], now: Date(timeIntervalSince1970: stamp + 10)) == nil)
        #expect(Signatures.verify(.slack, body: body, header: headers(fields), secrets: [secret], now: Date(timeIntervalSince1970: stamp + 301)) == .staleTimestamp(seconds: 301))
        #expect(Signatures.verify(.slack, body: body, header: headers(fields), secrets: [secret], now: Date(timeIntervalSince1970: stamp - 301)) == .staleTimestamp(seconds: 301))
    }

    @Test func sentrysSchemeVerifiesAgainstASignatureComputedHere() {
        let body = WebhookFixtures.data("sentry/webhook.issue.created.json")
        let secret = "sentry-client-secret"
        let fields = ["Sentry-Hook-Signature": WebhookFixtures.hmac(body, secret), "Sentry-Hook-Timestamp": "\(Int(Self.now.timeIntervalSince1970) - 20)"]
        #expect(Signatures.verify(.sentry, body: body, header: headers(fields), secrets: [secret], now: Self.now) == nil)
        var stale = fields
        stale["Sentry-Hook-Timestamp"] = "\(Int(Self.now.timeIntervalSince1970) - 301)"
        #expect(Signatures.verify(.sentry, body: body, header: headers(stale), secrets: [secret], now: Self.now) == .staleTimestamp(seconds: 301))
    }

    @Test func jirasWebSubSignatureVerifies() {
        let body = WebhookFixtures.data("jira/issue_created.json")
        let fields = ["X-Hub-Signature": "sha256=" + WebhookFixtures.hmac(body, "jira-secret")]
        #expect(Signatures.verify(.jira, body: body, header: headers(fields), secrets: ["jira-secret"], now: Self.now) == nil)
    }

    @Test func wrongMissingMalformedAndUnconfiguredAreRefused() {
        let body = Data("{}".utf8)
        let good = "sha256=" + WebhookFixtures.hmac(body, "s3cret")
        #expect(Signatures.verify(.github, body: body, header: headers(["X-Hub-Signature-256": good]), secrets: ["other"], now: Self.now) == .mismatch)
        #expect(Signatures.verify(.github, body: body, header: headers([:]), secrets: ["s3cret"], now: Self.now) == .missingHeader("X-Hub-Signature-256"))
        #expect(Signatures.verify(.github, body: body, header: headers(["X-Hub-Signature-256": "sha1=abc"]), secrets: ["s3cret"], now: Self.now) == .malformedHeader("X-Hub-Signature-256"))
        #expect(Signatures.verify(.github, body: body, header: headers(["X-Hub-Signature-256": "sha256=zz"]), secrets: ["s3cret"], now: Self.now) == .mismatch)
        // An empty secret is no secret: the route refuses everything, even a request signed with "".
        let emptySigned = "sha256=" + WebhookFixtures.hmac(body, "")
        #expect(Signatures.verify(.github, body: body, header: headers(["X-Hub-Signature-256": emptySigned]), secrets: Signatures.secrets(""), now: Self.now) == .noSecret("GITHUB_WEBHOOK_SECRET"))
        #expect(Signatures.verify(.slack, body: body, header: headers([:]), secrets: Signatures.secrets(" , "), now: Self.now) == .noSecret("SLACK_SIGNING_SECRET"))
    }

    @Test func duringARotationTheOldAndTheNewSecretBothVerify() {
        let body = Data(#"{"zen":"Keep it logically awesome."}"#.utf8)
        let secrets = Signatures.secrets("new-secret, old-secret")
        #expect(secrets == ["new-secret", "old-secret"])
        for secret in ["old-secret", "new-secret"] {
            let header = "sha256=" + WebhookFixtures.hmac(body, secret)
            #expect(Signatures.verify(.github, body: body, header: headers(["X-Hub-Signature-256": header]), secrets: secrets, now: Self.now) == nil)
        }
    }
}
