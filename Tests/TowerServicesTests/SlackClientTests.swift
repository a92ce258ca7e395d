import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerTestLog
import TowerNet

@testable import TowerServices

@Suite struct SlackClientTests {
    /// A Slack stand-in: chat.postMessage checks the bot token and answers in Slack's shapes.
    private func slack(seen: Counter) async throws -> TestServer {
        try await TestServer.start { router in
            router.post("/api/chat.postMessage") { request, _ -> Response in
                let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
                seen.add(body)
                let ok = request.headers[.authorization] == "Bearer xoxb-tst0secret-token-1" && request.headers[.contentType] == "application/json; charset=utf-8"
                let payload = try JSONValue.parse(body)
                let answer =
                    !ok ? #"{"ok":false,"error":"invalid_auth"}"#
                    : payload["channel"]?.string == "#nowhere" ? #"{"ok":false,"error":"channel_not_found"}"#
                    : #"{"ok":true,"channel":"C024BE91L","ts":"1503435956.000247","message":{"text":"x"}}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
            }
            router.post("/hooks/response") { request, _ -> Response in
                seen.add("response_url " + String(buffer: try await request.body.collect(upTo: 1 << 20)))
                return Response(status: .ok)
            }
        }
    }

    @Test func theApprovalRequestCarriesTheTaskIdOnBothButtons() async throws {
        let seen = Counter()
        let server = try await slack(seen: seen)
        defer { server.stop() }
        let client = SlackClient(baseURL: server.url("/api"), token: "xoxb-tst0secret-token-1", http: HTTPClient(log: RunLog.http("slack-tests")))
        let posted = try await client.sendApprovalRequest(
            channel: "#ai-agents", taskId: "t-7k2m9q4x", ticket: "PROJ-123", title: "Add OAuth", summary: "3 tasks, 7 h", pullRequest: "https://github.com/acme/a/pull/42")
        #expect(posted == .init(channel: "C024BE91L", ts: "1503435956.000247"))
        let payload = try JSONValue.parse(try #require(seen.all.first))
        #expect(payload["channel"]?.string == "#ai-agents")
        guard case .array(let blocks) = payload["blocks"], case .array(let buttons) = blocks[1]["elements"] else {
            Issue.record("no actions block: \(payload)")
            return
        }
        #expect(buttons.map { $0["action_id"]?.string } == ["approve", "reject"])
        #expect(buttons.allSatisfy { $0["value"]?.string == "t-7k2m9q4x" })
        #expect(blocks[0]["text"]?["text"]?.string?.contains("PROJ-123: Add OAuth") == true)
    }

    @Test func okFalseBecomesAnErrorWithSlacksWords() async throws {
        let seen = Counter()
        let server = try await slack(seen: seen)
        defer { server.stop() }
        await #expect(throws: ServiceError(service: "Slack", status: 200, message: "channel_not_found")) {
            try await SlackClient(baseURL: server.url("/api"), token: "xoxb-tst0secret-token-1", http: HTTPClient(log: RunLog.http("slack-tests"))).postMessage(channel: "#nowhere", text: "hi")
        }
        await #expect(throws: ServiceError(service: "Slack", status: 200, message: "invalid_auth")) {
            try await SlackClient(baseURL: server.url("/api"), token: "xoxb-tst0secret-wrong", http: HTTPClient(log: RunLog.http("slack-tests"))).postMessage(channel: "#ai-agents", text: "hi")
        }
    }

    @Test func noticesAndResponseURLReplies() async throws {
        let seen = Counter()
        let server = try await slack(seen: seen)
        defer { server.stop() }
        let client = SlackClient(baseURL: server.url("/api"), token: "xoxb-tst0secret-token-1", http: HTTPClient(log: RunLog.http("slack-tests")))
        try await client.sendNotification(channel: "#ai-agents", .failed(taskId: "t-1", ticket: "PROJ-9", step: "execution", error: "tests failed"))
        try await client.respond(to: server.url("/hooks/response"), text: "✅ Plan approved")
        #expect(try JSONValue.parse(seen.all[0])["text"]?.string == "❌ *Failed* PROJ-9 at execution: tests failed — `/agent retry t-1`")
        #expect(seen.all[1].hasPrefix("response_url ") && seen.all[1].contains("Plan approved"))
        #expect(SlackClient.text(for: .completed(taskId: "t-1", ticket: "PROJ-9", pullRequest: "https://github.com/acme/a/pull/42"))
            == "✅ *Completed* PROJ-9 — <https://github.com/acme/a/pull/42|pull request> (task `t-1`)")
        #expect(SlackClient.text(for: .escalated(taskId: "t-2", ticket: nil, reason: "test_failure: 3 tests fail", pullRequest: nil))
            == "🚨 *Needs a human* t-2: test_failure: 3 tests fail (task `t-2`)")
        #expect(SlackClient.text(for: .sentryTicket(issue: "KeyError 'user'", ticket: "PROJ-130", events: 12, level: "error")) == "🐛 *Sentry* KeyError 'user': 12 error events in 24 h → PROJ-130")
    }
}
