import Foundation
import HTTPTypes
import Testing
import TowerCore
import TowerEngine
import TowerNet
import TowerStore
import TowerTestSupport

@testable import TowerWebhooks

/// Slack wants its answer within 3 s. The listener answers from the inbox write alone, so an
/// engine busy with a long step does not delay it: the answer comes while the step still runs.
@Suite struct DeadlineTests {
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var open = false
        private var entered = false
        func enter() { lock.withLock { entered = true } }
        var hasEntered: Bool { lock.withLock { entered } }
        func release() { lock.withLock { open = true } }
        var isOpen: Bool { lock.withLock { open } }
    }

    @Test func slackIsAnsweredWhileTheEngineIsBusyWithALongStep() async throws {
        let store = try SQLiteStore(directory: TemporaryDirectory.make("deadline").appendingPathComponent("state"))
        let gate = Gate()
        let slow = ClosureStep { _ in
            gate.enter()
            while !gate.isOpen { try await Task.sleep(nanoseconds: 10_000_000) }
            return .completed(try StepOutput(encoding: ["done": true]))
        }
        let engine = Engine(store: store, workflow: Workflow(uniform: slow), configuration: EngineConfiguration(pollInterval: 0.02, leaseTTL: 2))
        let running = Task { await engine.run() }
        defer {
            gate.release()
            running.cancel()
        }
        let task = try await OperatorCommands(store: store).start(ticketId: nil, title: "slow", description: "slow", source: .description, by: Actor(user: "t", channel: .cli))
        let deadline = Date().addingTimeInterval(120)
        while !gate.hasEntered && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(gate.hasEntered)

        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let listener = Listener(host: "127.0.0.1", port: 0, store: store, secrets: [.slack: ["slack"]], received: { await engine.wake() })
        let serving = Task { try await listener.run(signals: false) { continuation.yield($0) } }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        let stamp = "\(Int(Date().timeIntervalSince1970))"
        let body = Data("user_id=U1&user_name=sam&command=%2Fagent&text=status+\(task.id)&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&trigger_id=9.9.9".utf8)
        var fields = HTTPFields()
        fields[HTTPField.Name("X-Slack-Request-Timestamp")!] = stamp
        fields[HTTPField.Name("X-Slack-Signature")!] = "v0=" + WebhookFixtures.hmac(Data("v0:\(stamp):".utf8) + body, "slack")
        let started = Date()
        let response = try await HTTPClient(policy: RetryPolicy(maxAttempts: 1), requestTimeout: 3).send(
            HTTPClientRequest(method: .post, url: URL(string: "http://127.0.0.1:\(port)/webhooks/slack")!, headers: fields, body: body, timeout: 3))
        let elapsed = Date().timeIntervalSince(started)
        print("Slack answered in \(String(format: "%.0f", elapsed * 1000)) ms while the step ran")
        #expect(response.status.code == 200)
        #expect(String(decoding: response.body, as: UTF8.self).contains(#""response_type":"ephemeral""#))
        // The step is still in flight: the answer did not wait for the engine.
        let status = try await store.task(id: task.id)?.status
        #expect(!gate.isOpen && status == .discovery)
        #expect(try await store.pendingDeliveries(limit: 5).map(\.id) == ["slack-9.9.9"])
    }
}
