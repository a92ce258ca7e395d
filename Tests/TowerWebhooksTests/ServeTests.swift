import Foundation
import HTTPTypes
import Testing
import TowerCore
import TowerNet
import TowerStore
import TowerTestSupport

/// `tower serve`, the real binary, over real HTTP on loopback.
@Suite(.serialized) struct ServeTests {
    let state = TemporaryDirectory.make("serve").appendingPathComponent("state")
    let http = HTTPClient(policy: RetryPolicy(maxAttempts: 1), requestTimeout: 20)
    let secrets = ["GITHUB_WEBHOOK_SECRET": "gh-new,gh-old", "JIRA_WEBHOOK_SECRET": "jira", "SLACK_SIGNING_SECRET": "slack", "TOWER_SLACK_APPROVERS": "U777"]

    /// Starts `tower serve` on a free port; returns it and its base URL.
    func serve(_ extra: [String: String] = [:]) async throws -> (ChildProcess, URL) {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("TOWER_") || key.hasSuffix("_SECRET") || key.hasSuffix("_TOKEN") { environment[key] = nil }
        environment.merge(secrets) { _, new in new }
        environment.merge(extra) { _, new in new }
        environment["HOME"] = state.deletingLastPathComponent().path
        let process = try ChildProcess(BuiltProducts.url("tower"), ["serve", "--state-dir", state.path, "--port", "0"], environment: environment)
        let up = await process.waitForLines(timeout: 30) { $0.contains("listening on 127.0.0.1:") }
        #expect(up, "\(process.output.joined(separator: "\n"))\n\(process.errorOutput)")
        let line = process.output.first { $0.contains("listening on 127.0.0.1:") } ?? ""
        let port = line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        return (process, URL(string: "http://127.0.0.1:\(port)")!)
    }

    func post(_ base: URL, _ path: String, _ body: Data, _ headers: [String: String]) async throws -> (status: Int, body: String) {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await http.send(HTTPClientRequest(method: .post, url: base.appendingPathComponent(path), headers: fields, body: body))
        return (response.status.code, String(decoding: response.body, as: UTF8.self))
    }

    static func labelledIssue(_ key: String) -> Data {
        var json = WebhookFixtures.json("jira/issue_created.json")
        var issue = json["issue"] as! [String: Any]
        var fields = issue["fields"] as! [String: Any]
        fields["labels"] = ["AI"]
        issue["fields"] = fields
        issue["key"] = key
        json["issue"] = issue
        return WebhookFixtures.encode(json)
    }

    func jiraHeaders(_ body: Data, id: String) -> [String: String] {
        ["X-Hub-Signature": "sha256=" + WebhookFixtures.hmac(body, "jira"), "X-Atlassian-Webhook-Identifier": id, "Content-Type": "application/json"]
    }

    /// A Jira webhook sent with a W3C `traceparent`: the task it starts keeps it, and the task's
    /// root span, as a real collector decodes it, links to the sender's span. A malformed one is
    /// dropped, never stored.
    @Test func theTraceparentOfAWebhookBecomesALinkOnTheTaskItStarts() async throws {
        let collector = try await OTLPCollector()
        defer { collector.stop() }
        let (server, base) = try await serve(["OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"])
        defer { server.kill() }
        let sender = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let body = Self.labelledIssue("OPS-31")
        var headers = jiraHeaders(body, id: "trace-1")
        headers["traceparent"] = sender
        #expect(try await post(base, "/webhooks/jira", body, headers).status == 200)
        let malformed = Self.labelledIssue("OPS-32")
        var bad = jiraHeaders(malformed, id: "trace-2")
        bad["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"
        #expect(try await post(base, "/webhooks/jira", malformed, bad).status == 200)

        let store = try SQLiteStore(directory: state)
        var task: TowerTask?
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let tasks = try await store.tasks(status: nil, limit: nil)
            if tasks.count == 2, tasks.allSatisfy({ $0.traceParent != nil }) {
                task = tasks.first { $0.ticketId == "OPS-31" }
                #expect(tasks.first { $0.ticketId == "OPS-32" }?.originTraceParent == nil)
                break
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let started = try #require(task)
        #expect(started.originTraceParent == sender)
        server.signal(SIGTERM)
        #expect(await server.wait(timeout: 30) == 0, "\(server.errorOutput)")
        let root = try #require(try collector.spans().first { $0["attributes"]?["tower.task.id"]?.string == started.id && $0["name"]?.string == "tower.task" })
        #expect(root["parent_span_id"]?.string == "")
        #expect(root["trace_id"]?.string != "4bf92f3577b34da6a3ce929d0e0e4736", "the task is a trace of its own")
        #expect(root["links"]?[0]?["trace_id"]?.string == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(root["links"]?[0]?["span_id"]?.string == "00f067aa0ba902b7")
        #expect(root["attributes"]?["tower.ticket.id"]?.string == "OPS-31")
    }

    @Test func forgedStaleUnsignedUnconfiguredAndOversizedRequestsAreRefusedAndReachNothing() async throws {
        let (server, base) = try await serve()
        defer { server.kill() }
        let body = Data(#"{"zen":"Design for failure."}"#.utf8)
        func github(_ signature: String?) -> [String: String] {
            var headers = ["X-GitHub-Event": "ping", "X-GitHub-Delivery": UUID().uuidString]
            if let signature { headers["X-Hub-Signature-256"] = signature }
            return headers
        }
        #expect(try await post(base, "/webhooks/github", body, github("sha256=" + WebhookFixtures.hmac(body, "wrong"))).status == 401)
        #expect(try await post(base, "/webhooks/github", body, github(nil)).status == 401)
        // Rotation: the old and the new secret both verify.
        #expect(try await post(base, "/webhooks/github", body, github("sha256=" + WebhookFixtures.hmac(body, "gh-old"))) == (200, "pong\n"))
        #expect(try await post(base, "/webhooks/github", body, github("sha256=" + WebhookFixtures.hmac(body, "gh-new"))).status == 200)
        // No SENTRY_WEBHOOK_SECRET: the route refuses everything, however it is signed.
        let sentry = ["Sentry-Hook-Signature": WebhookFixtures.hmac(body, ""), "Sentry-Hook-Timestamp": "\(Int(Date().timeIntervalSince1970))"]
        #expect(try await post(base, "/webhooks/sentry", body, sentry).status == 401)
        // A Slack timestamp 301 s old.
        let form = Data("command=%2Fagent&text=list&user_id=U777&trigger_id=1.2.3".utf8)
        let old = "\(Int(Date().timeIntervalSince1970) - 301)"
        let stale = ["X-Slack-Request-Timestamp": old, "X-Slack-Signature": "v0=" + WebhookFixtures.hmac(Data("v0:\(old):".utf8) + form, "slack")]
        #expect(try await post(base, "/webhooks/slack", form, stale).status == 401)
        // One byte over the Slack route's limit, correctly signed: 413, unread.
        let now = "\(Int(Date().timeIntervalSince1970))"
        let big = Data(repeating: UInt8(ascii: "a"), count: 256 * 1024 + 1)
        let bigHeaders = ["X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + WebhookFixtures.hmac(Data("v0:\(now):".utf8) + big, "slack")]
        #expect(try await post(base, "/webhooks/slack", big, bigHeaders).status == 413)
        // Only the two pings were taken in; nothing refused reached the inbox or the engine.
        let store = try SQLiteStore(directory: state)
        #expect(try await store.pendingDeliveries(limit: 100).filter { !$0.id.hasPrefix("github-") }.isEmpty)
        #expect(try await store.tasks(status: nil, limit: nil).isEmpty)
    }

    @Test func aLabelledTicketStartsOneWorkflowHoweverOftenItIsDeliveredAtOnce() async throws {
        let (server, base) = try await serve()
        defer { server.kill() }
        let body = Self.labelledIssue("OPS-7")
        let headers = jiraHeaders(body, id: "jira-delivery-1")
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<5 { group.addTask { try await post(base, "/webhooks/jira", body, headers).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == [200, 200, 200, 200, 200])
        let store = try SQLiteStore(directory: state)
        let deadline = Date().addingTimeInterval(120)
        while try await store.tasks(status: nil, limit: nil).isEmpty && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        try await Task.sleep(nanoseconds: 500_000_000)
        let tasks = try await store.tasks(status: nil, limit: nil)
        #expect(tasks.count == 1 && tasks.first?.ticketId == "OPS-7")
        let outcomes = try await store.deliveries(limit: 10).map(\.outcome)
        #expect(outcomes.count == 1 && outcomes.first??.hasPrefix("started t-") == true, "\(outcomes)")
    }

    @Test func killedRightAfterAnsweringTheDeliveryIsProcessedOnceAfterTheRestart() async throws {
        // Frozen: the engine takes nothing from the inbox, so the kill lands between the answer and the processing.
        let store = try SQLiteStore(directory: state)
        _ = try await store.setFrozen(true, actor: Actor(user: "test", channel: .cli), at: Date())
        let (first, base) = try await serve()
        let body = Self.labelledIssue("OPS-9")
        #expect(try await post(base, "/webhooks/jira", body, jiraHeaders(body, id: "jira-kill-1")) == (200, "received\n"))
        first.kill()
        _ = await first.wait(timeout: 10)
        #expect(try await store.tasks(status: nil, limit: nil).isEmpty)
        #expect(try await store.pendingDeliveries(limit: 10).map(\.id) == ["jira-jira-kill-1"])

        _ = try await store.setFrozen(false, actor: Actor(user: "test", channel: .cli), at: Date())
        let (second, base2) = try await serve()
        defer { second.kill() }
        let deadline = Date().addingTimeInterval(120)
        while try await store.pendingDeliveries(limit: 10).count > 0 && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(try await store.tasks(status: nil, limit: nil).map(\.ticketId) == ["OPS-9"])
        // The sender retries the same delivery: answered, not acted on again.
        #expect(try await post(base2, "/webhooks/jira", body, jiraHeaders(body, id: "jira-kill-1")) == (200, "already received\n"))
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(try await store.tasks(status: nil, limit: nil).count == 1)

        // The operator's view of the inbox, and putting a delivery back in line.
        let tower = BuiltProducts.url("tower")
        let list = try await ChildProcess.run(tower, ["agent", "deliveries", "--state-dir", state.path])
        #expect(list.status == 0 && list.out.contains("jira-jira-kill-1") && list.out.contains("started t-"), "\(list.out)")
        let again = try await ChildProcess.run(tower, ["agent", "redeliver", "jira-jira-kill-1", "--state-dir", state.path])
        #expect(again.status == 0 && again.out.contains("queued again"), "\(again.err)")
        while try await store.pendingDeliveries(limit: 10).count > 0 && Date() < deadline.addingTimeInterval(20) { try await Task.sleep(nanoseconds: 50_000_000) }
        // Processed again: the ticket has its live task, so nothing new starts.
        let outcome = try await store.deliveries(limit: 5).first { $0.id == "jira-jira-kill-1" }?.outcome ?? ""
        #expect(outcome.hasPrefix("ignored: OPS-9 already has task") || outcome.hasPrefix("started"), "\(outcome)")
        let unknown = try await ChildProcess.run(tower, ["agent", "redeliver", "nope", "--state-dir", state.path])
        #expect(unknown.status == 1 && unknown.err.contains("the inbox has no delivery nope"))
    }

    @Test func metricsCountDeliveriesRefusalsTasksAndStepsAndSIGTERMStopsCleanly() async throws {
        let (server, base) = try await serve()
        let body = Self.labelledIssue("OPS-30")
        #expect(try await post(base, "/webhooks/jira", body, jiraHeaders(body, id: "m-1")).status == 200)
        #expect(try await post(base, "/webhooks/jira", body, jiraHeaders(body, id: "m-1")).status == 200)
        #expect(try await post(base, "/webhooks/jira", body, ["X-Hub-Signature": "sha256=00"]).status == 401)
        let store = try SQLiteStore(directory: state)
        let deadline = Date().addingTimeInterval(120)
        // The task fails at Discovery at once (no forge here): one step timed.
        while try await store.tasks(status: .failed, limit: nil).isEmpty && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        let response = try await http.send(HTTPClientRequest(url: base.appendingPathComponent("/metrics")))
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(response.status.code == 200)
        #expect(text.contains(#"tower_webhook_deliveries_total{outcome="accepted",source="jira"} 1"#), "\(text)")
        #expect(text.contains(#"tower_webhook_deliveries_total{outcome="duplicate",source="jira"} 1"#))
        #expect(text.contains(#"tower_webhook_verification_failures_total{source="jira"} 1"#))
        #expect(text.contains(#"tower_tasks{status="failed"} 1"#))
        #expect(text.contains("tower_webhook_inbox_pending 0") || text.contains("tower_webhook_inbox_pending 1"))
        #expect(text.contains(#"tower_step_duration_seconds_count{outcome="failed",step="discovery"} 1"#), "\(text)")
        #expect(text.contains(#"tower_llm_tokens_total{direction="input"} 0"#))

        kill(server.process.processIdentifier, SIGTERM)
        #expect(await server.wait(timeout: 20) == 0)
        #expect(server.output.contains { $0.contains("tower serve: stopped") })
    }
}
