import Foundation
import Testing
import TowerCore
import TowerStore

@testable import TowerWebhooks

/// The shared payloads, signed and taken in as the listener does, then routed.
@Suite struct RoutingTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    /// Signs `body` for `source` and runs it through the intake; the delivery, or a failed test.
    func accept(_ source: WebhookSource, _ body: Data, event: String = "", id: String = "d-1", extra: [String: String] = [:]) -> WebhookDelivery? {
        var fields = extra
        let stamp = "\(Int(Self.now.timeIntervalSince1970))"
        switch source {
        case .github:
            fields["X-Hub-Signature-256"] = "sha256=" + WebhookFixtures.hmac(body, "gh")
            fields["X-GitHub-Event"] = event
            fields["X-GitHub-Delivery"] = id
        case .jira:
            fields["X-Hub-Signature"] = "sha256=" + WebhookFixtures.hmac(body, "jira")
            fields["X-Atlassian-Webhook-Identifier"] = id
        case .sentry:
            fields["Sentry-Hook-Signature"] = WebhookFixtures.hmac(body, "sentry")
            fields["Sentry-Hook-Timestamp"] = stamp
            fields["Sentry-Hook-Resource"] = event
            fields["Request-ID"] = id
        case .slack, .slackInteraction:
            fields["X-Slack-Request-Timestamp"] = stamp
            fields["X-Slack-Signature"] = "v0=" + WebhookFixtures.hmac(Data("v0:\(stamp):".utf8) + body, "slack")
        }
        let secrets = ["github": ["gh"], "jira": ["jira"], "sentry": ["sentry"]][source.rawValue] ?? ["slack"]
        let decision = Intake.decide(source, body: body, header: { name in fields.first { $0.key.lowercased() == name.lowercased() }?.value }, secrets: secrets, now: Self.now)
        guard case .accepted(let delivery, _) = decision else {
            Issue.record("refused: \(decision)")
            return nil
        }
        return delivery
    }

    func modified(_ path: String, _ change: (inout [String: Any]) -> Void) -> Data {
        var json = WebhookFixtures.json(path)
        change(&json)
        return WebhookFixtures.encode(json)
    }

    @Test func jiraStartsAWorkflowOnlyForTheAILabel() throws {
        // As published: no labels. Nothing happens.
        let plain = try #require(accept(.jira, WebhookFixtures.data("jira/issue_created.json")))
        #expect(WebhookRouter.route(plain) == .ignore("BUG-15 has no AI label"))
        let labelled = try #require(accept(.jira, modified("jira/issue_created.json") { json in
            var issue = json["issue"] as! [String: Any]
            var fields = issue["fields"] as! [String: Any]
            fields["labels"] = ["AI", "backend"]
            issue["fields"] = fields
            json["issue"] = issue
        }))
        guard case .startWorkflow(let ticket, let title, _) = WebhookRouter.route(labelled) else {
            Issue.record("not started")
            return
        }
        #expect(ticket == "BUG-15" && !title.isEmpty)
        // An update: only the change that adds "AI" starts one.
        let triaged = try #require(accept(.jira, WebhookFixtures.data("jira/issue_updated.labels.DERIVED.json")))
        #expect(WebhookRouter.route(triaged) == .ignore("TEST-1: the AI label was not added"))
        let added = try #require(accept(.jira, modified("jira/issue_updated.labels.DERIVED.json") { json in
            json["changelog"] = ["id": "10002", "items": [["field": "labels", "fieldtype": "jira", "fieldId": "labels", "fromString": "triaged", "toString": "AI triaged"]]]
        }))
        guard case .startWorkflow(ticket: "TEST-1", _, _) = WebhookRouter.route(added) else {
            Issue.record("adding AI did not start TEST-1")
            return
        }
        let removed = try #require(accept(.jira, modified("jira/issue_updated.labels.DERIVED.json") { json in
            json["changelog"] = ["id": "10003", "items": [["field": "labels", "fromString": "AI triaged", "toString": "triaged"]]]
        }))
        #expect(WebhookRouter.route(removed) == .ignore("TEST-1: the AI label was not added"))
        let status = try #require(accept(.jira, WebhookFixtures.data("jira/issue_updated.status.json")))
        if case .ignore = WebhookRouter.route(status) {} else { Issue.record("a status change started a workflow") }
    }

    @Test func githubCommentsCommandTheirPullRequestsTask() throws {
        let plain = try #require(accept(.github, WebhookFixtures.data("github/issue_comment.created.on_pull_request.json"), event: "issue_comment"))
        #expect(WebhookRouter.route(plain) == .ignore("no @agent command in the comment"))
        let onIssue = try #require(accept(.github, WebhookFixtures.data("github/issue_comment.created.json"), event: "issue_comment"))
        #expect(WebhookRouter.route(onIssue) == .ignore("a comment on an issue, not on a pull request"))
        let command = try #require(accept(.github, modified("github/issue_comment.created.on_pull_request.json") { json in
            var comment = json["comment"] as! [String: Any]
            comment["body"] = "Looks right.\n@agent reject the migration must be reversible"
            json["comment"] = comment
            var issue = json["issue"] as! [String: Any]
            issue["body"] = "## 🤖 AI Agent plan\n\n---\n_Opened by the AI Agent (Tower task `t-7k2m9q4x`)._"
            json["issue"] = issue
        }, event: "issue_comment"))
        guard case .command(let request) = WebhookRouter.route(command) else {
            Issue.record("not a command")
            return
        }
        #expect(request.verb == .reject && request.taskId == "t-7k2m9q4x" && request.text == "the migration must be reversible")
        #expect(request.actor.channel == .githubComment)
        guard case .pullRequest(let repository, let number)? = request.reply else {
            Issue.record("no PR to answer on")
            return
        }
        #expect(!repository.isEmpty && number > 0)
    }

    /// `@agent pause` and `@agent resume` on the PR pause its task; `/agent pause owner/repo` in
    /// Slack names a repository.
    @Test func pauseAndResumeArriveFromAPullRequestCommentAndFromSlack() throws {
        for verb in ["pause", "resume"] {
            let command = try #require(accept(.github, modified("github/issue_comment.created.on_pull_request.json") { json in
                var comment = json["comment"] as! [String: Any]
                comment["body"] = "Hold on, the migration is not reviewed.\n@agent \(verb)"
                json["comment"] = comment
                var issue = json["issue"] as! [String: Any]
                issue["body"] = "_Opened by the AI Agent (Tower task `t-7k2m9q4x`)._"
                json["issue"] = issue
            }, event: "issue_comment"))
            guard case .command(let request) = WebhookRouter.route(command) else {
                Issue.record("not a command")
                return
            }
            #expect(request.verb.rawValue == verb && request.taskId == "t-7k2m9q4x" && request.text == nil)
        }
        let slack = try #require(accept(.slack, Data("user_id=U1&user_name=sam&command=%2Fagent&text=pause+acme%2Fledger+deploy+freeze&trigger_id=1".utf8)))
        guard case .command(let request) = WebhookRouter.route(slack) else {
            Issue.record("not a command")
            return
        }
        #expect(request.verb == .pause && request.taskId == "acme/ledger" && request.actor.channel == .slackCommand)
    }

    @Test func githubPullRequestsWithTheMarkerAndCompletedRunsWakeCIAndPingIsAnswered() throws {
        let unmarked = try #require(accept(.github, WebhookFixtures.data("github/pull_request.opened.json"), event: "pull_request"))
        #expect(WebhookRouter.route(unmarked) == .ignore("the PR does not carry the AI Agent marker"))
        let marked = try #require(accept(.github, modified("github/pull_request.synchronize.json") { json in
            var pr = json["pull_request"] as! [String: Any]
            pr["body"] = "## 🤖 AI Agent plan"
            json["pull_request"] = pr
        }, event: "pull_request"))
        guard case .wakeCI = WebhookRouter.route(marked) else {
            Issue.record("a marked PR did not wake CI")
            return
        }
        let run = try #require(accept(.github, WebhookFixtures.data("github/workflow_run.completed.success.json"), event: "workflow_run"))
        guard case .wakeCI(_, let branch) = WebhookRouter.route(run) else {
            Issue.record("workflow_run did not wake CI")
            return
        }
        #expect(branch != nil)
        let ping = try #require(accept(.github, WebhookFixtures.data("github/ping.json"), event: "ping"))
        #expect(WebhookRouter.route(ping) == .pong)
    }

    @Test func onlyAFatalSentryIssueGoesToTheMonitorAtOnce() throws {
        let error = try #require(accept(.sentry, WebhookFixtures.data("sentry/webhook.issue.created.json"), event: "issue"))
        #expect(WebhookRouter.route(error) == .ignore("level error: the hourly pass decides by count"))
        let fatal = try #require(accept(.sentry, modified("sentry/webhook.event_alert.triggered.json") { json in
            var data = json["data"] as! [String: Any]
            var event = data["event"] as! [String: Any]
            event["level"] = "fatal"
            data["event"] = event
            json["data"] = data
        }, event: "event_alert"))
        #expect(WebhookRouter.route(fatal) == .sentryIssue(id: "1117540176"))
    }

    @Test func slackCommandsAndButtonsActAsTheSlackUser() throws {
        let help = try #require(accept(.slack, WebhookFixtures.data("slack/slash_command.signed-example.form.txt")))
        guard case .command(let request) = WebhookRouter.route(help) else {
            Issue.record("not a command")
            return
        }
        #expect(request.verb == .help && request.slackUser == "U2CERLKJA" && request.actor == Actor(user: "roadrunner", channel: .slackCommand))
        let approve = Data("user_id=U777&user_name=dana&command=%2Fagent&text=approve+t-7k2m9q4x+ship+it&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F2%2F3&trigger_id=13.14.abc".utf8)
        let delivery = try #require(accept(.slack, approve))
        #expect(delivery.id == "slack-13.14.abc")
        guard case .command(let approval) = WebhookRouter.route(delivery) else {
            Issue.record("not a command")
            return
        }
        #expect(approval.verb == .approve && approval.taskId == "t-7k2m9q4x" && approval.text == "ship it")
        #expect(approval.reply == .slack(responseURL: "https://hooks.slack.com/commands/T1/2/3"))
        // The shared button payload is not one of Tower's buttons; one with Tower's ids is.
        let foreign = try #require(accept(.slackInteraction, WebhookFixtures.data("slack/block_actions.form.txt")))
        #expect(WebhookRouter.route(foreign) == .ignore("button a is not Tower's"))
        var payload = WebhookFixtures.json("slack/block_actions.json")
        payload["actions"] = [["action_id": "approve", "block_id": "b", "value": "t-7k2m9q4x", "type": "button", "action_ts": "1596530385.194939"]]
        let body = Data(("payload=" + String(decoding: WebhookFixtures.encode(payload), as: UTF8.self).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8)
        let click = try #require(accept(.slackInteraction, body))
        guard case .command(let button) = WebhookRouter.route(click) else {
            Issue.record("the button did nothing")
            return
        }
        #expect(button.verb == .approve && button.taskId == "t-7k2m9q4x" && button.actor.channel == .slackButton && button.slackUser == "W111")
    }

    @Test func malformedBodiesAreRefusedBeforeAnythingIsStored() {
        let body = Data("{not json".utf8)
        let fields = ["X-Hub-Signature-256": "sha256=" + WebhookFixtures.hmac(body, "gh"), "X-GitHub-Event": "push", "X-GitHub-Delivery": "x"]
        let decision = Intake.decide(.github, body: body, header: { fields[$0] }, secrets: ["gh"], now: Self.now)
        #expect(decision == .refused(status: 400, reason: "the body is not a JSON object"))
    }

    /// The sender's `traceparent` is kept with a verified delivery only when well-formed, and a
    /// request that fails verification is refused whatever it carries.
    @Test func aWellFormedTraceparentIsKeptWithTheDeliveryAndNothingElseIs() {
        let body = Data(#"{"zen":"Keep it logically awesome."}"#.utf8)
        func decide(_ traceparent: String?, secret: String = "gh") -> Intake.Decision {
            var fields = ["X-Hub-Signature-256": "sha256=" + WebhookFixtures.hmac(body, secret), "X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1"]
            fields["traceparent"] = traceparent
            return Intake.decide(.github, body: body, header: { fields[$0] }, secrets: ["gh"], now: Self.now)
        }
        let sender = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        guard case .accepted(let kept, _) = decide(sender), case .accepted(let dropped, _) = decide("00-zz-00f067aa0ba902b7-01"),
            case .accepted(let none, _) = decide(nil)
        else {
            Issue.record("a signed ping was refused")
            return
        }
        #expect(kept.traceParent == sender && dropped.traceParent == nil && none.traceParent == nil)
        #expect(decide(sender, secret: "forged") == .refused(status: 401, reason: "the signature does not match any configured secret"))
    }
}
