import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

extension ProcessTests {
    @Suite(.serialized) struct CommandLineTests {
        @Test func configNeverPrintsASecretsValue() async throws {
            let home = TemporaryDirectory.make("config")
            let secrets = [
                "ANTHROPIC_API_KEY": "sk-ant-api03-ENVtst0secret-abcdef",
                "GITHUB_TOKEN": "ghp_ENVtst0secret1234567890",
                "SLACK_SIGNING_SECRET": "8f742231b10etst0secretyyyzzz85a5",
            ]
            let dotEnvSecrets = ["JIRA_API_TOKEN": "ATATT3xFfGF0DOTENVtst0secret", "SENTRY_AUTH_TOKEN": "sntrys_DOTENVtst0secret_42"]
            let fileSecrets = ["SLACK_BOT_TOKEN": "xoxb-FILEtst0secret-123-456", "GITHUB_WEBHOOK_SECRET": "whsec-FILEtst0secret-xyz"]
            let dotEnv = home.appendingPathComponent(".env")
            try (dotEnvSecrets.map { "export \($0.key)=\"\($0.value)\"" } + ["JIRA_EMAIL=bot@example.com", "MY_PRIVATE_TOKEN=zzUNKNOWNtst0secretzz"])
                .joined(separator: "\n").write(to: dotEnv, atomically: true, encoding: .utf8)
            let configFile = home.appendingPathComponent("tower.toml")
            try """
                SLACK_BOT_TOKEN = "\(fileSecrets["SLACK_BOT_TOKEN"]!)"
                [github]
                webhook_secret = "\(fileSecrets["GITHUB_WEBHOOK_SECRET"]!)"
                org = "acme"
                [jira]
                base_url = "https://bot:PASSWORDtst0secretINURL@acme.atlassian.net"
                """.write(to: configFile, atomically: true, encoding: .utf8)

            let result = try await ChildProcess.run(
                towerBinary, ["config", "--env-file", dotEnv.path, "--config", configFile.path], environment: isolatedEnvironment(secrets))
            #expect(result.status == 0, "\(result.err)")
            let everything = result.out + result.err
            for value in Array(secrets.values) + Array(dotEnvSecrets.values) + Array(fileSecrets.values) + ["zzUNKNOWNtst0secretzz", "PASSWORDtst0secretINURL"] {
                #expect(!everything.contains(value), "secret \(value.prefix(6))… leaked")
            }
            #expect(result.out.contains("GITHUB_TOKEN                 set (hidden)  [environment]"))
            #expect(result.out.contains("JIRA_API_TOKEN               set (hidden)  [\(dotEnv.path)]"))
            #expect(result.out.contains("SLACK_BOT_TOKEN              set (hidden)  [\(configFile.path)]"))
            #expect(result.out.contains("GITHUB_ORG                   acme  [\(configFile.path)]"))
            #expect(result.out.contains("https://bot:***@acme.atlassian.net"))
            #expect(result.out.contains("MY_PRIVATE_TOKEN is not a Tower setting; ignored"))
            #expect(result.out.contains("GitHub     configured"))
            #expect(result.out.contains("Sentry     not configured (missing SENTRY_ORG)"))
        }

        @Test func clearErrorsForUnknownTasksWrongStatesAndUnopenableStores() async throws {
            let state = TemporaryDirectory.make("errors").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let env = isolatedEnvironment()

            let unknown = try await ChildProcess.run(towerBinary, ["agent", "status", "t-nothing0", "--state-dir", state.path], environment: env)
            #expect(unknown.status == 1)
            #expect(unknown.err == "tower: no task with id t-nothing0\n")

            var running = TowerTask.new(ticketId: "PROJ-5", title: "Running task", description: "", source: .jira, now: Date())
            running.status = .executing
            running.step = .execution
            try await store.insertTask(running, event: nil, actor: testActor)
            let early = try await ChildProcess.run(towerBinary, ["agent", "approve", running.id, "--state-dir", state.path], environment: env)
            #expect(early.status == 1)
            #expect(early.err == "tower: task \(running.id) is not awaiting approval (it is executing)\n")
            let notFailed = try await ChildProcess.run(towerBinary, ["agent", "retry", running.id, "--state-dir", state.path], environment: env)
            #expect(notFailed.status == 1)
            #expect(notFailed.err.contains("has not failed (it is executing)"))

            let blocked = TemporaryDirectory.make("blocked").appendingPathComponent("file")
            try "not a directory".write(to: blocked, atomically: true, encoding: .utf8)
            let unopenable = try await ChildProcess.run(towerBinary, ["agent", "list", "--state-dir", blocked.path], environment: env)
            #expect(unopenable.status == 1)
            #expect(unopenable.err.hasPrefix("tower: cannot open the store at \(blocked.path)"))
        }

        /// `tower agent list --waiting`: the console's Approvals queue, oldest first, with why.
        @Test func listWaitingIsTheApprovalsQueueOldestFirst() async throws {
            let state = TemporaryDirectory.make("waiting").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let older = try await seedAwaitingApproval(store, ticket: "OPS-1", title: "Older plan", at: Date().addingTimeInterval(-7200))
            let newer = try await seedAwaitingApproval(store, ticket: "OPS-2", title: "Newer plan", at: Date().addingTimeInterval(-600))
            var escalated = TowerTask.new(ticketId: "OPS-3", title: "Red CI", description: "", source: .jira, now: Date().addingTimeInterval(-3600))
            escalated.status = .failed
            escalated.step = nil
            escalated.failedStep = .ciMonitoring
            escalated.lastError = "CI escalated to a person: acme/api: test_failure"
            try await store.insertTask(escalated, event: nil, actor: testActor)
            var running = TowerTask.new(ticketId: "OPS-4", title: "Busy", description: "", source: .jira, now: Date())
            running.status = .executing
            try await store.insertTask(running, event: nil, actor: testActor)

            let list = try await ChildProcess.run(towerBinary, ["agent", "list", "--waiting", "--state-dir", state.path], environment: isolatedEnvironment())
            #expect(list.status == 0, "\(list.err)")
            let rows = list.out.split(separator: "\n").map(String.init)
            #expect(rows.first?.hasPrefix("WAITING") == true && rows.count == 4, "\(list.out)")
            #expect(rows.dropFirst().map { row in [older.id, escalated.id, newer.id].first { row.contains($0) } } == [older.id, escalated.id, newer.id], "\(list.out)")
            #expect(rows[1].contains("plan to approve") && rows[2].contains("CI escalation: acme/api: test_failure"))
            #expect(!list.out.contains(running.id))
        }

        @Test func statusListAndRetryShowWhatAnOperatorNeeds() async throws {
            let state = TemporaryDirectory.make("status").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let env = isolatedEnvironment()
            let waiting = try await seedAwaitingApproval(store, title: "Add OAuth login")
            var failed = TowerTask.new(ticketId: "PROJ-9", title: "Broken build", description: "", source: .jira, now: Date())
            failed.status = .failed
            failed.step = nil
            failed.failedStep = .execution
            failed.lastError = "tests failed: 3 assertions"
            try await store.insertTask(failed, event: nil, actor: testActor)

            let list = try await ChildProcess.run(towerBinary, ["agent", "list", "awaiting_approval", "--state-dir", state.path], environment: env)
            #expect(list.status == 0)
            #expect(list.out.contains(waiting.id) && !list.out.contains(failed.id))

            let approve = try await ChildProcess.run(
                towerBinary, ["agent", "approve", waiting.id, "--as", "dana", "--note", "ship it", "--state-dir", state.path], environment: env)
            #expect(approve.status == 0)
            #expect(approve.out == "✅ Plan approved for \(waiting.id) (by dana via cli)")
            try await store.recordLLMCall(
                LLMCallRecord(
                    taskId: waiting.id, step: "planning", purpose: "plan", model: "claude-sonnet-4-20250514", system: "", prompt: "", answer: "", inputTokens: 9_000,
                    outputTokens: 1_200, cost: 0.045, durationMs: 8_000, at: Date()))
            try await store.recordLLMCall(
                LLMCallRecord(
                    taskId: waiting.id, step: "planning", purpose: "plan (repair)", model: "openai:qwen2.5-coder-32b", system: "", prompt: "", answer: "",
                    inputTokens: 9_500, outputTokens: 1_100, cost: nil, durationMs: 9_000, at: Date()))
            let status = try await ChildProcess.run(towerBinary, ["agent", "status", waiting.id, "--state-dir", state.path], environment: env)
            #expect(status.out.contains("status     approved — next step: execution"))
            #expect(status.out.contains("cost       $0.0450 + 1 unpriced (2 calls); today, all tasks: $0.0450 + 1 unpriced (2 calls)"), "\(status.out)")
            #expect(status.out.contains("approval   approved by dana via cli"))
            #expect(status.out.contains("plan approved by dana via cli: ship it"))

            let retry = try await ChildProcess.run(towerBinary, ["agent", "retry", failed.id, "--as", "dana", "--state-dir", state.path], environment: env)
            #expect(retry.status == 0)
            #expect(retry.out == "🔁 Task \(failed.id) will resume at execution (retry by dana via cli)")
            #expect(try await store.task(id: failed.id)?.status == .executing)

            let help = try await ChildProcess.run(towerBinary, ["agent", "help"], environment: env)
            for usage in ["status <id>", "approve <id>", "reject <id>", "retry <id>", "list [status]", "help", "freeze", "unfreeze"] {
                #expect(help.out.contains(usage))
            }

            // The console's freeze switch from a shell, recorded with who.
            let freeze = try await ChildProcess.run(towerBinary, ["agent", "freeze", "--as", "dana", "--state-dir", state.path], environment: env)
            #expect(freeze.status == 0 && freeze.out == "frozen by dana")
            let frozen = try await store.freezeState()
            #expect(frozen.frozen && frozen.by == "dana")
            let thaw = try await ChildProcess.run(towerBinary, ["agent", "unfreeze", "--as", "dana", "--state-dir", state.path], environment: env)
            #expect(thaw.status == 0)
            #expect(try await !store.freezeState().frozen)
        }
    }
}
