import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// `tower digest --since 1h` after a mixed hour: each outcome is listed under its heading,
    /// and what happened before the hour is not.
    @Suite struct DigestCommandTests {
        @Test func theLastHoursOutcomesEachUnderTheirHeading() async throws {
            let state = TemporaryDirectory.make("digest-cli").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let now = Date()
            func seed(_ ticket: String, _ title: String, _ status: TaskStatus, failedStep: StepKind? = nil, error: String? = nil, at: Date) async throws -> TowerTask {
                var task = TowerTask.new(ticketId: ticket, title: title, description: "", source: .jira, now: at)
                task.status = status
                task.step = nil
                task.failedStep = failedStep
                task.lastError = error
                try await store.insertTask(task, event: nil, actor: testActor)
                return task
            }
            let done = try await seed("MIX-1", "Shipped change", .completed, at: now.addingTimeInterval(-600))
            try await store.recordAudit(
                AuditRecord(at: now.addingTimeInterval(-1200), kind: .effect, action: "forge_pull_request", taskId: done.id, user: "tower", channel: "github",
                    key: "\(done.id)/planning/0", detail: "acme/ledger#12 (draft): https://github.com/acme/ledger/pull/12"))
            _ = try await seed("MIX-2", "Broken change", .failed, failedStep: .execution, error: "plan-task 1 still fails after 3 attempts", at: now.addingTimeInterval(-900))
            _ = try await seed("MIX-3", "Red CI", .failed, failedStep: .ciMonitoring, error: "CI escalated to a person: acme/ledger: test_failure", at: now.addingTimeInterval(-800))
            _ = try await seed("OLD-1", "Yesterday's change", .completed, at: now.addingTimeInterval(-26 * 3600))
            _ = try await seedAwaitingApproval(store, ticket: "MIX-4", title: "Plan to read", at: now.addingTimeInterval(-300))
            let bug = SentryFingerprint(fingerprint: "fp-mix", title: "KeyError: 'vat'", level: "error", project: "ledger", reservedAt: now.addingTimeInterval(-700))
            _ = try await store.claimFingerprint(bug, at: now.addingTimeInterval(-700))
            try await store.confirmFingerprint("fp-mix", ticketId: "BUG-9", at: now.addingTimeInterval(-690))
            try await store.recordLLMCall(
                LLMCallRecord(taskId: done.id, step: "planning", purpose: "plan", model: "claude", system: "", prompt: "", answer: "", inputTokens: 1000,
                    outputTokens: 100, cost: 0.25, durationMs: 10, at: now.addingTimeInterval(-650)))
            let pause = try await ChildProcess.run(towerBinary, ["agent", "pause", "acme/ledger", "--state-dir", state.path, "--as", "lee"], environment: isolatedEnvironment())
            #expect(pause.status == 0, "\(pause.err)")

            let digest = try await ChildProcess.run(towerBinary, ["digest", "--since", "1h", "--state-dir", state.path], environment: isolatedEnvironment())
            #expect(digest.status == 0, "\(digest.err)")
            let out = digest.out
            let lines = out.split(separator: "\n").map(String.init)
            func under(_ heading: String) -> [String] {
                guard let at = lines.firstIndex(where: { $0.hasPrefix(heading) }) else { return [] }
                return Array(lines[(at + 1)...].prefix { $0.hasPrefix("  ") })
            }
            #expect(lines.first?.hasPrefix("Shift hand-off: ") == true && lines.first?.contains("model calls $0.2500 (1 call)") == true, "\(out)")
            #expect(under("Completed (1)") == ["  - MIX-1 Shipped change (\(done.id)): https://github.com/acme/ledger/pull/12"], "\(out)")
            // The escalation waits for a person too, oldest first.
            let waiting = under("Waiting for a person (2)")
            #expect(waiting.count == 2 && waiting[0].contains("MIX-3 Red CI") && waiting[1].contains("MIX-4 Plan to read") && waiting[1].contains("): plan to approve, since"), "\(out)")
            #expect(under("Failed (1)").first?.contains("MIX-2 Broken change") == true && under("Failed (1)").first?.contains("at execution: plan-task 1 still fails") == true, "\(out)")
            #expect(under("CI escalations (1)").first?.hasSuffix("acme/ledger: test_failure") == true, "\(out)")
            #expect(under("Sentry bugs filed (1)") == ["  - BUG-9 error ledger: KeyError: 'vat'"], "\(out)")
            #expect(under("Decisions (1)").first?.contains("pause repository acme/ledger by lee via cli") == true, "\(out)")
            #expect(!out.contains("OLD-1"))
        }
    }
}
