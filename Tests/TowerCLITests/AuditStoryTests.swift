import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// The audit trail through the real channels: an approval in the console (tmux), a rejection
    /// from Slack (a signed `/agent reject` to `tower serve`), a retry from the command line; then
    /// `tower audit` exports all three, with their channels, in order.
    @Suite(.serialized) struct AuditStoryTests {
        @Test func anApprovalFromTheConsoleARejectionFromSlackAndARetryFromTheCLIAreExportedInOrder() async throws {
            let state = TemporaryDirectory.make("audit-story").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let plan = PlanVersion(hash: "9f8e7d", blobs: [:])
            let approved = try await seedAwaitingApproval(store, ticket: "AUD-1", title: "Story AUD-1", plan: plan).id
            let rejected = try await seedAwaitingApproval(store, ticket: "AUD-2", title: "Story AUD-2", plan: plan).id
            var failed = TowerTask.new(ticketId: "AUD-3", title: "Story AUD-3", description: "", source: .cli, now: Date())
            failed.status = .failed
            failed.failedStep = .execution
            try await store.insertTask(failed, event: nil, actor: testActor)

            // 1. The console: open the task, a, a note, approve.
            let tmux = try TmuxSession(width: 120, height: 32, environment: isolatedEnvironment())
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as dana")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("Needs approval 2").ok)
            try tmux.type(":status \(approved)")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("AUD-1").ok)
            try tmux.keys("a")
            let dialog = try await tmux.waitFor("Approve the plan")
            #expect(dialog.ok, "\(dialog.screen)")
            try tmux.type("ship it")
            try tmux.keys("Tab", "Enter")
            let done = try await tmux.waitFor("plan approved by dana via console")
            #expect(done.ok, "\(done.screen)")
            try tmux.keys("q")

            // 2. Slack: a signed /agent reject to the listener, run by its inbox.
            let serve = try ChildProcess(
                towerBinary, ["serve", "--state-dir", state.path, "--port", "0"],
                environment: isolatedEnvironment(["SLACK_SIGNING_SECRET": "slack-secret", "TOWER_SLACK_APPROVERS": "U777"]))
            defer { serve.kill() }
            #expect(await serve.waitForLines(timeout: 30) { $0.contains("listening on 127.0.0.1:") }, "\(serve.errorOutput)")
            let line = serve.output.first { $0.contains("listening on 127.0.0.1:") } ?? ""
            let port = line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
            #expect(try await postSlashCommand("reject \(rejected) wrong repository", port: port) == 200)
            #expect(try await eventually { try await store.approval(taskId: rejected)?.decision == .rejected }, "\(serve.errorOutput)")
            serve.kill()

            // 3. The command line.
            let retry = try await ChildProcess.run(towerBinary, ["agent", "retry", failed.id, "--state-dir", state.path, "--as", "carol"], environment: isolatedEnvironment())
            #expect(retry.status == 0, "\(retry.err)")

            // The export: the three decisions, in order, with who and where.
            let export = try await ChildProcess.run(towerBinary, ["audit", "--state-dir", state.path, "--format", "jsonl"], environment: isolatedEnvironment())
            #expect(export.status == 0, "\(export.err)")
            let rows = export.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(rows.count == export.out.split(separator: "\n").count, "every line is a JSON object:\n\(export.out)")
            let decisions = rows.filter { $0["kind"] as? String == "decision" }
            #expect(decisions.map { $0["action"] as? String } == ["approve", "reject", "retry"], "\(export.out)")
            #expect(decisions.map { $0["channel"] as? String } == ["console", "slack_command", "cli"])
            #expect(decisions.map { $0["user"] as? String } == ["dana", "sam", "carol"])
            #expect(decisions.map { $0["task_id"] as? String } == [approved, rejected, failed.id])
            #expect(decisions[0]["note"] as? String == "ship it" && decisions[0]["plan_version"] as? String == "9f8e7d")
            #expect(decisions[1]["note"] as? String == "wrong repository")

            let csv = try await ChildProcess.run(towerBinary, ["audit", "--state-dir", state.path, "--format", "csv", "--task", approved], environment: isolatedEnvironment())
            let lines = csv.out.split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.first == "seq,at,kind,action,task_id,user,channel,note,plan_version,key,detail")
            #expect(lines.dropFirst().first?.contains(",decision,approve,\(approved),dana,console,ship it,9f8e7d,,") == true, "\(csv.out)")

            // 4. The console's Audit screen shows the three, newest first, and filters by person.
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as erin")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("Needs approval").ok)
            try tmux.keys("T")
            let audit = try await tmux.waitFor("Audit — 3 decisions")
            #expect(audit.ok, "\(audit.screen)")
            let order = ["retry", "reject", "approve"].compactMap { word in audit.screen.range(of: " \(word) ")?.lowerBound }
            #expect(order.count == 3 && order == order.sorted(), "newest first:\n\(audit.screen)")
            #expect(audit.screen.contains("“ship it”") && audit.screen.contains("carol"))
            try tmux.keys("/")
            try tmux.type("sam")
            try tmux.keys("Enter")
            let filtered = try await tmux.waitFor("matching “sam”")
            #expect(filtered.ok && filtered.screen.contains("wrong repository") && !filtered.screen.contains("carol"), "\(filtered.screen)")
            try tmux.keys("q")
        }
    }
}
