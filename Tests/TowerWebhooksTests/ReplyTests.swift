import Foundation
import Hummingbird
import NIOCore
import Testing
import TowerAgents
import TowerCore
import TowerEngine
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestLog
import TowerTestSupport

@testable import TowerWebhooks

/// Answers go back where the command came from: a comment on the agents' PR (over the local
/// forge), and Slack's `response_url` (over a local server standing in for Slack's hooks).
@Suite(.serialized) struct ReplyTests {
    final class Hooks: @unchecked Sendable {
        private let lock = NSLock()
        private var bodies: [String] = []
        func add(_ body: String) { lock.withLock { bodies.append(body) } }
        var received: [String] { lock.withLock { bodies } }
    }

    /// A store with a task waiting for approval and its draft PR on a local forge repository.
    func world() async throws -> (SQLiteStore, LocalForge, TowerTask, PullRequestRecord) {
        let directory = TemporaryDirectory.make("replies")
        let store = try SQLiteStore(directory: directory.appendingPathComponent("state"))
        let forge = LocalForge(root: directory.appendingPathComponent("forge"), store: store)
        let repo = RepositoryRef(owner: "acme", name: "web")
        _ = try await forge.createRepository(repo, files: [FileChange(path: "README.md", content: "web\n")])
        _ = try await forge.createBranch("ai/OPS-40-x", from: "main", in: repo)
        let task = try await seedAwaitingApproval(store, ticket: "OPS-40", title: "Plan")
        let pr = try await forge.openPullRequest(
            head: "ai/OPS-40-x", base: "main", title: "[AI Agent] OPS-40", body: "## 🤖 AI Agent plan\n\n_Opened by the AI Agent (Tower task `\(task.id)`)._", draft: true, in: repo)
        return (store, forge, task, pr)
    }

    @Test func anAgentCommentIsAnsweredOnThePullRequest() async throws {
        let (store, forge, task, pr) = try await world()
        let services = AgentServices(forge: forge, owner: "acme", llm: nil, prompts: .bundled)
        let processor = InboxProcessor(store: store, services: services, slackApprovers: []) {}
        var comment = WebhookFixtures.json("github/issue_comment.created.on_pull_request.json")
        var body = comment["comment"] as! [String: Any]
        body["body"] = "@agent approve looks good"
        comment["comment"] = body
        var issue = comment["issue"] as! [String: Any]
        issue["number"] = pr.number
        issue["body"] = pr.body
        comment["issue"] = issue
        var repository = comment["repository"] as! [String: Any]
        repository["full_name"] = "acme/web"
        comment["repository"] = repository
        let outcome = await processor.process(
            WebhookDelivery(id: "g-1", source: "github", event: "issue_comment.created", body: WebhookFixtures.encode(comment), receivedAt: Date()))
        #expect(outcome.hasPrefix("✅ Plan approved for `\(task.id)`"), "\(outcome)")
        #expect(try await store.pullRequestComments(repository: "acme/web", number: pr.number) == [outcome])
        #expect(try await store.approval(taskId: task.id)?.channel == .githubComment)
    }

    @Test func onlyTheRepositorysOwnPeopleDecideByComment() async throws {
        let (store, forge, task, pr) = try await world()
        let processor = InboxProcessor(store: store, services: AgentServices(forge: forge, owner: "acme", llm: nil, prompts: .bundled), slackApprovers: []) {}
        func comment(_ text: String, association: String) -> WebhookDelivery {
            var json = WebhookFixtures.json("github/issue_comment.created.on_pull_request.json")
            var body = json["comment"] as! [String: Any]
            body["body"] = text
            body["author_association"] = association
            json["comment"] = body
            var issue = json["issue"] as! [String: Any]
            issue["number"] = pr.number
            issue["body"] = pr.body
            json["issue"] = issue
            var repository = json["repository"] as! [String: Any]
            repository["full_name"] = "acme/web"
            json["repository"] = repository
            return WebhookDelivery(id: UUID().uuidString, source: "github", event: "issue_comment.created", body: WebhookFixtures.encode(json), receivedAt: Date())
        }
        // Anyone may comment on a public repository: a drive-by approval is refused, and said so on the PR.
        let refused = await processor.process(comment("@agent approve", association: "NONE"))
        #expect(refused.hasPrefix("⛔ @"), "\(refused)")
        #expect(try await store.approval(taskId: task.id)?.decision == nil)
        // Asking for the status is not deciding.
        #expect(await processor.process(comment("@agent status", association: "CONTRIBUTOR")).hasPrefix("`\(task.id)` awaiting_approval"))
        #expect(await processor.process(comment("@agent approve", association: "MEMBER")).hasPrefix("✅"))
        #expect(try await store.pullRequestComments(repository: "acme/web", number: pr.number).count == 3)
    }

    @Test func aSlackCommandsOutcomeGoesToItsResponseURL() async throws {
        let (store, _, task, _) = try await world()
        let hooks = Hooks()
        let server = try await TestServer.start { router in
            router.post("/commands/T1/2/3") { request, _ in
                let buffer = try await request.body.collect(upTo: 1 << 20)
                hooks.add(String(buffer: buffer))
                return Response(status: .ok)
            }
        }
        defer { server.stop() }
        var services = AgentServices(forge: nil, owner: "acme", llm: nil, prompts: .bundled)
        services.slack = SlackClient(baseURL: server.url("/api"), token: TestSecrets.slackToken)
        let processor = InboxProcessor(store: store, services: services, slackApprovers: ["U777"]) {}
        let url = server.url("/commands/T1/2/3").absoluteString.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let form = Data("user_id=U777&user_name=sam&command=%2Fagent&text=reject+\(task.id)+needs+a+rollback&response_url=\(url)&trigger_id=5.5.5".utf8)
        let outcome = await processor.process(WebhookDelivery(id: "slack-5.5.5", source: "slack", event: "command /agent", body: form, receivedAt: Date()))
        #expect(outcome == "❌ Plan rejected for `\(task.id)` by sam", "\(outcome)")
        #expect(hooks.received.count == 1 && hooks.received[0].contains("Plan rejected"), "\(hooks.received)")
        #expect(!hooks.received[0].contains(TestSecrets.slackToken))
        #expect(try await store.approval(taskId: task.id)?.reason == "needs a rollback")
    }
}
