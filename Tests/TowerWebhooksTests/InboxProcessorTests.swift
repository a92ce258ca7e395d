import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

@testable import TowerWebhooks

/// The inbox's processing, in-process over a real store: what each routed action does.
@Suite struct InboxProcessorTests {
    let store: SQLiteStore
    let processor: InboxProcessor

    init() throws {
        store = try SQLiteStore(directory: TemporaryDirectory.make("inbox").appendingPathComponent("state"))
        let services = AgentServices(forge: nil, owner: "", llm: nil, prompts: .bundled)
        processor = InboxProcessor(store: store, services: services, slackApprovers: ["U777"]) {}
    }

    func delivery(_ id: String, _ source: WebhookSource, _ body: Data) -> WebhookDelivery {
        WebhookDelivery(id: id, source: source.rawValue, event: "", body: body, receivedAt: Date())
    }

    @Test func aTicketWithALiveTaskGetsNoSecondOne() async throws {
        let body = ServeTests.labelledIssue("OPS-11")
        #expect(await processor.process(delivery("j-1", .jira, body)).hasPrefix("started t-"))
        let second = await processor.process(delivery("j-2", .jira, body))
        #expect(second.hasPrefix("ignored: OPS-11 already has task t-"), "\(second)")
        #expect(try await store.tasks(status: nil, limit: nil).count == 1)
    }

    @Test func slackUsersOutsideTheApproversAreRefusedAndTheOthersDecideOnce() async throws {
        let task = try await seedAwaitingApproval(store, ticket: "OPS-12", title: "Plan")
        func command(_ user: String, _ text: String) -> Data {
            Data("user_id=\(user)&user_name=\(user.lowercased())&command=%2Fagent&text=\(text.replacingOccurrences(of: " ", with: "+"))&trigger_id=\(UUID().uuidString)".utf8)
        }
        let refused = await processor.process(delivery("s-1", .slack, command("U999", "approve \(task.id)")))
        #expect(refused.hasPrefix("⛔ u999 may not approve here"), "\(refused)")
        #expect(try await store.approval(taskId: task.id)?.decision == nil)
        let approved = await processor.process(delivery("s-2", .slack, command("U777", "approve \(task.id) ship it")))
        #expect(approved == "✅ Plan approved for `\(task.id)` by u777", "\(approved)")
        let late = await processor.process(delivery("s-3", .slack, command("U777", "reject \(task.id) too late")))
        #expect(late.hasPrefix("Already decided: approved by u777 via slack_command"), "\(late)")
        let approval = try #require(try await store.approval(taskId: task.id))
        #expect(approval.decidedBy == "u777" && approval.channel == .slackCommand && approval.reason == "ship it")
    }

    /// `/agent list waiting` answers with the same queue as the console's Approvals screen and
    /// `tower agent list --waiting`: oldest first, with why.
    @Test func slackListWaitingIsTheApprovalsQueue() async throws {
        let older = try await seedAwaitingApproval(store, ticket: "OPS-31", title: "Older plan", at: Date().addingTimeInterval(-5400))
        let newer = try await seedAwaitingApproval(store, ticket: "OPS-32", title: "Newer plan", at: Date().addingTimeInterval(-60))
        let body = Data("user_id=U123&user_name=sam&command=%2Fagent&text=list+waiting&trigger_id=\(UUID().uuidString)".utf8)
        let answer = await processor.process(delivery("s-list", .slack, body))
        let lines = answer.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(answer)")
        #expect(lines.first?.hasPrefix("`\(older.id)` OPS-31 waiting 1h: plan to approve") == true, "\(answer)")
        #expect(lines.last?.hasPrefix("`\(newer.id)` OPS-32 waiting ") == true && lines.last?.hasSuffix("— Newer plan") == true)
        let queue = try await WaitingQueue.load(from: store)
        #expect(queue.map(\.task.id) == [older.id, newer.id])
    }

    @Test func anAgentCommentAndASlackButtonRaceForOneTaskAndOneDecides() async throws {
        for round in 0..<10 {
            let task = try await seedAwaitingApproval(store, ticket: "OPS-2\(round)", title: "Plan")
            var comment = WebhookFixtures.json("github/issue_comment.created.on_pull_request.json")
            var body = comment["comment"] as! [String: Any]
            body["body"] = "@agent approve"
            comment["comment"] = body
            var issue = comment["issue"] as! [String: Any]
            issue["body"] = "_Opened by the AI Agent (Tower task `\(task.id)`)._"
            comment["issue"] = issue
            var payload = WebhookFixtures.json("slack/block_actions.json")
            payload["actions"] = [["action_id": "reject", "value": task.id, "type": "button", "action_ts": "1.\(round)"]]
            payload["user"] = ["id": "U777", "username": "sam"]
            let click = Data(("payload=" + String(decoding: WebhookFixtures.encode(payload), as: UTF8.self).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8)
            let github = WebhookDelivery(id: "g-\(round)", source: "github", event: "issue_comment.created", body: WebhookFixtures.encode(comment), receivedAt: Date())
            let slack = delivery("b-\(round)", .slackInteraction, click)
            async let a = processor.process(github)
            async let b = processor.process(slack)
            let answers = await [a, b]
            let decided = answers.filter { $0.hasPrefix("✅") || $0.hasPrefix("❌") }
            let told = answers.filter { $0.hasPrefix("Already decided") }
            #expect(decided.count == 1 && told.count == 1, "\(answers)")
            let approval = try #require(try await store.approval(taskId: task.id))
            #expect(approval.channel == (approval.decision == .approved ? .githubComment : .slackButton))
        }
    }

    /// Slack's Grant and Stop buttons and `/agent budget` answer a task waiting for budget, from
    /// Slack approvers only; the grant resumes its step.
    @Test func budgetButtonsAndTheSlashCommandGrantOrStopForApproversOnly() async throws {
        func click(_ action: String, _ value: String, user: String) -> Data {
            var payload = WebhookFixtures.json("slack/block_actions.json")
            payload["actions"] = [["action_id": action, "value": value, "type": "button", "action_ts": "1.\(UUID().uuidString.prefix(4))"]]
            payload["user"] = ["id": user, "username": user.lowercased()]
            return Data(("payload=" + String(decoding: WebhookFixtures.encode(payload), as: UTF8.self).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8)
        }
        let task = try await seedAwaitingBudget(store)
        let refused = await processor.process(delivery("bb-1", .slackInteraction, click("budget_grant", "\(task.id) +1", user: "U999")))
        #expect(refused.hasPrefix("⛔ u999 may not budget here"), "\(refused)")
        #expect(try await store.task(id: task.id)?.status == .awaitingBudget)
        let granted = await processor.process(delivery("bb-2", .slackInteraction, click("budget_grant", "\(task.id) +1", user: "U777")))
        #expect(granted.hasPrefix("💰 `\(task.id)` model budget $1.50 (+$1.00 by u777)"), "\(granted)")
        #expect(granted.contains("executing resumes"))
        let resumed = try #require(try await store.task(id: task.id))
        #expect(resumed.status == .executing && resumed.step == .execution && resumed.budget == 1.5)

        let other = try await seedAwaitingBudget(store, ticket: "PROJ-44")
        let stop = await processor.process(delivery("bb-3", .slackInteraction, click("budget_stop", other.id, user: "U777")))
        #expect(stop.hasPrefix("⏹ `\(other.id)` stopped at its budget by u777"), "\(stop)")
        #expect(try await store.task(id: other.id)?.failedStep == .execution)

        let third = try await seedAwaitingBudget(store, ticket: "PROJ-45")
        let command = Data("user_id=U777&user_name=u777&command=%2Fagent&text=budget+\(third.id)+%2B2.50&trigger_id=x".utf8)
        let answer = await processor.process(delivery("bb-4", .slack, command))
        #expect(answer.contains("model budget $3.00 (+$2.50 by u777)"), "\(answer)")
    }

    /// `@agent budget +5` on the task's pull request grants, from the repository's members only.
    @Test func anAgentBudgetCommentGrantsForMembersOnly() async throws {
        let task = try await seedAwaitingBudget(store, ticket: "PROJ-46")
        func comment(_ association: String, _ id: String) -> WebhookDelivery {
            var comment = WebhookFixtures.json("github/issue_comment.created.on_pull_request.json")
            var body = comment["comment"] as! [String: Any]
            body["body"] = "Looks worth it.\n@agent budget +2"
            body["author_association"] = association
            comment["comment"] = body
            var issue = comment["issue"] as! [String: Any]
            issue["body"] = "_Opened by the AI Agent (Tower task `\(task.id)`)._"
            comment["issue"] = issue
            return WebhookDelivery(id: id, source: "github", event: "issue_comment.created", body: WebhookFixtures.encode(comment), receivedAt: Date())
        }
        let refused = await processor.process(comment("NONE", "gc-1"))
        #expect(refused.contains("may not budget"), "\(refused)")
        #expect(try await store.task(id: task.id)?.status == .awaitingBudget)
        let granted = await processor.process(comment("MEMBER", "gc-2"))
        #expect(granted.contains("model budget $2.50 (+$2.00 by"), "\(granted)")
        #expect(try await store.task(id: task.id)?.status == .executing)
    }
}

