import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// `tower demo --no-console --auto-approve`, the real binary on a fresh state directory: the
    /// story from the shipped recordings, over real git, the sandbox, python3's unittest and black.
    @Suite(.serialized) struct DemoTests {
        /// The commits on `branch` that `main` does not have, oldest first, as `subject` lines.
        private func commits(_ forge: URL, _ repo: String, _ branch: String) async throws -> [String] {
            let git = URL(fileURLWithPath: "/usr/bin/git")
            let log = try await ChildProcess.run(git, ["--git-dir", forge.appendingPathComponent("demo/\(repo).git").path, "log", "--reverse", "--format=%s", "main..\(branch)"])
            #expect(log.status == 0, "\(log.err)")
            return log.out.split(separator: "\n").map(String.init)
        }

        @Test func theHeadlessStoryCompletesOverTheLocalForge() async throws {
            let state = TemporaryDirectory.make("demo").appendingPathComponent("state")
            let env = isolatedEnvironment()
            let run = try await ChildProcess.run(towerBinary, ["demo", "--no-console", "--auto-approve", "--state-dir", state.path], environment: env, timeout: 240)
            #expect(run.status == 0, "\(run.out)\n\(run.err)")
            #expect(run.out.contains("DEMO-1 completed"))

            let store = try SQLiteStore(directory: state.appendingPathComponent("demo/state"))
            let task = try #require(try await store.tasks(status: nil, limit: nil).first { $0.ticketId == "DEMO-1" })
            #expect(task.status == .completed)

            // Both repositories' branches: PLAN.md, one commit per plan task, and black's auto-fix.
            let forge = state.appendingPathComponent("demo/forge")
            let branch = "ai/DEMO-1-discount-codes-at-checkout"
            let service = try await commits(forge, "inventory-service", branch)
            #expect(service.count == 4, "\(service)")
            #expect(service.first?.hasPrefix("docs: PLAN.md for DEMO-1") == true)
            #expect(service.dropFirst().first?.contains("Discount codes in order_total") == true)
            #expect(service.last == "ci: auto-fix black")
            let client = try await commits(forge, "inventory-client", branch)
            #expect(client.count == 2, "\(client)")
            #expect(client.last?.contains("InventoryClient.order_total passes discount_code") == true)
            let storefront = try await ChildProcess.run(
                URL(fileURLWithPath: "/usr/bin/git"), ["--git-dir", forge.appendingPathComponent("demo/storefront.git").path, "branch", "--list", branch])
            #expect(storefront.out.isEmpty, "the storefront was not part of the plan")

            // Task 1's first attempt failed its tests and the failure went back; the second passed.
            let log = try await store.events(taskId: task.id, after: nil, limit: nil).map(\.message)
            let failed = try #require(log.firstIndex { $0.hasPrefix("plan-task 1 attempt 1: tests failed") })
            let passed = try #require(log.firstIndex { $0.hasPrefix("plan-task 1 attempt 2: tests pass") })
            #expect(failed < passed)
            let calls = try await store.llmCalls(taskId: task.id)
            let retry = try #require(calls.first { $0.purpose == "plan-task 1 attempt 2" })
            #expect(retry.prompt.contains("AssertionError: 261 != 262"))
            #expect(!retry.prompt.contains(state.path) && !retry.prompt.contains("/tmp/tower-execution"), "the checkout's path stays out of the prompt")
            #expect(calls.map(\.purpose).sorted() == [
                "discovery approach", "discovery keywords", "plan", "plan-task 1 attempt 1", "plan-task 1 attempt 2", "plan-task 2 attempt 1", "plan-task 3 attempt 1",
            ])

            // The outbox: each message exactly once, kept (not sent: the demo has no Slack or Jira).
            let outbox = try await store.outbox(taskId: task.id)
            let kinds = outbox.map { "\($0.service) \($0.kind)" }.sorted()
            #expect(kinds == ["jira comment", "jira comment", "slack approval_request", "slack ci_passed", "slack completed"], "\(kinds)")
            #expect(outbox.allSatisfy { $0.status == .notSent })

            // The audit trail: the approval, every forge write with the step's key, every message.
            let audit = try await ChildProcess.run(
                towerBinary, ["audit", "--state-dir", state.appendingPathComponent("demo/state").path, "--task", task.id, "--format", "jsonl"], environment: env)
            let rows = audit.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let actions = rows.compactMap { $0["action"] as? String }
            let approval = rows.first { $0["action"] as? String == "approve" }
            #expect(approval?["channel"] as? String == "cli" && approval?["note"] as? String == "tower demo --auto-approve", "\(audit.out)")
            // Planning's writes come before the approval, Execution's after it.
            let approvedAt = try #require(actions.firstIndex(of: "approve"))
            let keys = rows.map { $0["key"] as? String ?? "" }
            #expect(keys[..<approvedAt].contains("\(task.id)/planning/0") && !keys[..<approvedAt].contains("\(task.id)/execution/0"))
            #expect(keys[approvedAt...].contains("\(task.id)/execution/0"))
            // PLAN.md and a draft PR per repository (Planning), a commit per plan task (Execution),
            // black's fix (CI), and the five messages.
            #expect(actions.filter { $0 == "forge_pull_request" }.count == 2, "\(actions)")
            #expect(actions.filter { $0 == "forge_commit" }.count == 2 + 3 + 1, "\(actions)")
            #expect(actions.filter { $0.hasPrefix("slack_") || $0.hasPrefix("jira_") }.count == 5, "\(actions)")
            let forgeKeys = Set(rows.filter { ($0["action"] as? String)?.hasPrefix("forge_") == true }.compactMap { $0["key"] as? String })
            #expect(forgeKeys == ["\(task.id)/planning/0", "\(task.id)/execution/0", "\(task.id)/ci_monitoring/0"], "\(forgeKeys)")

            // Every tab of the task view has something to show.
            #expect(try await store.artifacts(taskId: task.id, kind: .discovery).count == 1)
            #expect(try await store.artifacts(taskId: task.id, kind: .plan).count == 1)
            let diffArtifacts = try await store.artifacts(taskId: task.id, kind: .diff)
            let diffs = diffArtifacts.map(\.name)
            #expect(diffs.contains("inventory-service/inventory/pricing.py") && diffs.contains("inventory-client/inventory_client/client.py"), "\(diffs)")
            // The Diff tab shows the branch after black's fix, not the model's first formatting.
            let pricing = try #require(diffArtifacts.last { $0.name == "inventory-service/inventory/pricing.py" })
            #expect(String(decoding: pricing.content, as: UTF8.self).contains(#"+DISCOUNT_RATES = {"SAVE10": Decimal("0.10"), "SAVE25": Decimal("0.25")}"#))
            let ci = try await store.artifacts(taskId: task.id, kind: .ciLog)
            #expect(ci.count == 3, "\(ci.map(\.name))")
            let discovery = try #require(try await store.phaseResult(taskId: task.id, step: .discovery, cycle: 0))
            let result = String(decoding: discovery.output, as: UTF8.self)
            #expect(result.contains("inventory-client") && result.contains("inventory-service") && result.contains("crossRepoDependencies"))

            // Run again: the same sandbox, the same task, nothing made twice.
            let again = try await ChildProcess.run(towerBinary, ["demo", "--no-console", "--state-dir", state.path], environment: env, timeout: 60)
            #expect(again.status == 0, "\(again.out)\n\(again.err)")
            #expect(again.out.contains("DEMO-1 continues"))
            #expect(try await store.tasks(status: nil, limit: nil).count == 1)
            #expect(try await commits(forge, "inventory-service", branch).count == 4)
        }

        @Test func withoutAutoApproveItPrintsAsItGoesAndWaitsForAnApprovalFromAnotherProcess() async throws {
            let state = TemporaryDirectory.make("demo-wait").appendingPathComponent("state")
            let demo = try ChildProcess(towerBinary, ["demo", "--no-console", "--state-dir", state.path], environment: isolatedEnvironment())
            // Line by line through a pipe, as a CI log would show it, while the process still runs.
            let waiting = await demo.waitForLines(timeout: 60) { $0.contains("waits for approval: tower agent approve") }
            #expect(waiting, "\(demo.output.joined(separator: "\n"))\n\(demo.errorOutput)")
            let line = try #require(demo.output.first { $0.contains("waits for approval") })
            #expect(line.contains("--state-dir \(state.path)/demo/state"), "\(line)")

            let store = try SQLiteStore(directory: state.appendingPathComponent("demo/state"))
            let task = try #require(try await store.tasks(status: .awaitingApproval, limit: nil).first)
            let approve = try await ChildProcess.run(
                towerBinary, ["agent", "approve", task.id, "--state-dir", state.appendingPathComponent("demo/state").path, "--as", "eve"], environment: isolatedEnvironment())
            #expect(approve.status == 0, "\(approve.err)")
            #expect(await demo.wait(timeout: 120) == 0, "\(demo.output.suffix(5).joined(separator: "\n"))")
            #expect(demo.output.contains { $0.contains("DEMO-1 completed") })
            #expect(try await store.approval(taskId: task.id)?.decidedBy == "eve")
        }
    }
}
