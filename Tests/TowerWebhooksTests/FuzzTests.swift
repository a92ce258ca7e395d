import Foundation
import HTTPTypes
import Testing
import TowerNet
import TowerStore
import TowerTestSupport

/// Ten thousand random and mutated requests at the real `tower serve`: each is answered 2xx or
/// 4xx, nothing crashes it, and it is healthy afterwards. A third are signed correctly after
/// the mutation, so the bodies get past verification into parsing, the inbox and the router.
@Suite(.serialized) struct FuzzTests {
    static let seeds: [String] = [
        "jira/issue_created.json", "jira/issue_updated.labels.DERIVED.json", "github/issue_comment.created.on_pull_request.json",
        "github/pull_request.opened.json", "github/workflow_run.completed.success.json", "sentry/webhook.event_alert.triggered.json",
        "slack/slash_command.signed-example.form.txt", "slack/block_actions.form.txt",
    ]

    static func mutate(_ data: Data, _ rng: inout SplitMix64) -> Data {
        var bytes = [UInt8](data)
        switch Int.random(in: 0..<9, using: &rng) {
        case 0: return Data(bytes.prefix(Int.random(in: 0...max(0, bytes.count), using: &rng)))  // truncated
        case 1:
            for _ in 0..<Int.random(in: 1...20, using: &rng) where !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            return Data(bytes)
        case 2: return Data(String(repeating: "[", count: Int.random(in: 1000...20000, using: &rng)).utf8)  // deep nesting
        case 3: return Data(#"{"webhookEvent":"jira:issue_created","issue":{"key":"X-1","id":1e999999,"fields":{"labels":["AI"],"summary":123456789012345678901234567890}}}"#.utf8)
        case 4: return Data((0..<Int.random(in: 0...4096, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })  // noise
        case 5: return Data("payload=%E0%A4%A&text=%ZZ&command=%2F".utf8)  // broken percent encoding
        case 6: return Data([0xFF, 0xFE, 0x00] + bytes.prefix(200))  // not UTF-8
        case 7: return Data(#"{"action":"created","comment":{"body":"@agent approve"},"issue":{"number":1,"pull_request":{},"body":"Tower task `t-aaaaaaaa`"}}"#.utf8)
        default: return data
        }
    }

    @Test func tenThousandRandomRequestsGetA2xxOr4xxAndTheServerStaysHealthy() async throws {
        let state = TemporaryDirectory.make("fuzz").appendingPathComponent("state")
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("TOWER_") || key.hasSuffix("_SECRET") || key.hasSuffix("_TOKEN") { environment[key] = nil }
        environment.merge(["GITHUB_WEBHOOK_SECRET": "gh", "JIRA_WEBHOOK_SECRET": "jira", "SENTRY_WEBHOOK_SECRET": "sentry", "SLACK_SIGNING_SECRET": "slack"]) { _, new in new }
        let server = try ChildProcess(BuiltProducts.url("tower"), ["serve", "--state-dir", state.path, "--port", "0"], environment: environment)
        defer { server.kill() }
        #expect(await server.waitForLines(timeout: 30) { $0.contains("listening on") })
        let port = server.output.first { $0.contains("listening on") }.flatMap { $0.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) } } ?? 0
        let base = URL(string: "http://127.0.0.1:\(port)")!
        let http = HTTPClient(policy: RetryPolicy(maxAttempts: 1), requestTimeout: 30)
        let seedValue = UInt64(Date().timeIntervalSince1970)
        print("fuzz seed \(seedValue)")
        let seedBodies = Self.seeds.map { WebhookFixtures.data($0) }
        let total = 10_000
        let workers = 16
        let statuses = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var rng = SplitMix64(state: seedValue &+ UInt64(worker))
                    var seen: [Int: Int] = [:]
                    for _ in 0..<(total / workers) {
                        let route = ["/webhooks/github", "/webhooks/jira", "/webhooks/sentry", "/webhooks/slack", "/webhooks/slack/interactions", "/webhooks/nope", "/healthz"]
                            .randomElement(using: &rng)!
                        let body = Self.mutate(seedBodies.randomElement(using: &rng)!, &rng)
                        var fields = HTTPFields()
                        let stamp = Int.random(in: 0..<4, using: &rng) == 0 ? "\(Int.random(in: Int.min...Int.max, using: &rng))" : "\(Int(Date().timeIntervalSince1970))"
                        let signed = Int.random(in: 0..<3, using: &rng) == 0
                        switch route {
                        case "/webhooks/github":
                            fields[HTTPField.Name("X-GitHub-Event")!] = ["issue_comment", "pull_request", "ping", "workflow_run", "", "💥"].randomElement(using: &rng)!
                            fields[HTTPField.Name("X-GitHub-Delivery")!] = "fz-\(rng.next() % 500)"
                            fields[HTTPField.Name("X-Hub-Signature-256")!] = signed ? "sha256=" + WebhookFixtures.hmac(body, "gh") : "sha256=\(String(repeating: "0", count: Int.random(in: 0...80, using: &rng)))"
                        case "/webhooks/jira":
                            fields[HTTPField.Name("X-Hub-Signature")!] = signed ? "sha256=" + WebhookFixtures.hmac(body, "jira") : "sha256"
                            fields[HTTPField.Name("X-Atlassian-Webhook-Identifier")!] = "fz-\(rng.next() % 500)"
                        case "/webhooks/sentry":
                            fields[HTTPField.Name("Sentry-Hook-Signature")!] = signed ? WebhookFixtures.hmac(body, "sentry") : "not-hex"
                            fields[HTTPField.Name("Sentry-Hook-Timestamp")!] = stamp
                            fields[HTTPField.Name("Sentry-Hook-Resource")!] = "event_alert"
                        case "/webhooks/slack", "/webhooks/slack/interactions":
                            fields[HTTPField.Name("X-Slack-Request-Timestamp")!] = stamp
                            fields[HTTPField.Name("X-Slack-Signature")!] = signed ? "v0=" + WebhookFixtures.hmac(Data("v0:\(stamp):".utf8) + body, "slack") : "v1=x"
                            if Bool.random(using: &rng) { fields[HTTPField.Name("X-Slack-Retry-Num")!] = "1" }
                        default: break
                        }
                        if Int.random(in: 0..<20, using: &rng) == 0 { fields[HTTPField.Name("X-Padding")!] = String(repeating: "x", count: 6000) }
                        let method: HTTPRequest.Method = route == "/healthz" ? .get : (Int.random(in: 0..<15, using: &rng) == 0 ? .put : .post)
                        let response = try await http.send(HTTPClientRequest(method: method, url: base.appendingPathComponent(route), headers: fields, body: method == .get ? nil : body))
                        seen[response.status.code, default: 0] += 1
                    }
                    return seen
                }
            }
            return try await group.reduce(into: [Int: Int]()) { all, part in all.merge(part, uniquingKeysWith: +) }
        }
        print("fuzz answers: \(statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))")
        #expect(statuses.values.reduce(0, +) == total)
        #expect(statuses.keys.allSatisfy { (200..<500).contains($0) }, "\(statuses)")
        #expect(statuses[200, default: 0] > 0 && statuses[401, default: 0] > 0)
        let health = try await http.send(HTTPClientRequest(url: base.appendingPathComponent("/healthz")))
        #expect(health.status.code == 200)
        #expect(server.process.isRunning)
    }
}
