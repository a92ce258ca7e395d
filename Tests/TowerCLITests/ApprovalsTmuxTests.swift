import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// The on-call queue in the real console: three tasks wait (two plans and a CI escalation),
    /// oldest first with their reasons; the two plans are picked and approved in one dialog, and
    /// each approval is recorded on its own.
    @Suite(.serialized) struct ApprovalsTmuxTests {
        @Test func twoPlansAndAnEscalationWaitAndThePlansAreApprovedTogether() async throws {
            let state = TemporaryDirectory.make("approvals-tmux").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let first = try await seedAwaitingApproval(store, ticket: "OPS-1", title: "Oldest plan", at: Date().addingTimeInterval(-7200))
            var escalated = TowerTask.new(ticketId: "OPS-2", title: "Red CI", description: "", source: .jira, now: Date().addingTimeInterval(-3600))
            escalated.status = .failed
            escalated.step = nil
            escalated.failedStep = .ciMonitoring
            escalated.lastError = "CI escalated to a person: acme/api: test_failure"
            try await store.insertTask(escalated, event: nil, actor: testActor)
            let second = try await seedAwaitingApproval(store, ticket: "OPS-3", title: "Newest plan", at: Date().addingTimeInterval(-300))

            let tmux = try TmuxSession(width: 120, height: 32, environment: isolatedEnvironment())
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as dana")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("Needs approval 2").ok)
            try tmux.keys("A")
            let queue = try await tmux.waitFor("Approvals — 3 waiting (2 plans)")
            #expect(queue.ok, "\(queue.screen)")
            let rows = ["OPS-1", "OPS-2", "OPS-3"].compactMap { queue.screen.range(of: $0)?.lowerBound }
            #expect(rows.count == 3 && rows == rows.sorted(), "oldest first:\n\(queue.screen)")
            #expect(queue.screen.contains("plan to approve") && queue.screen.contains("CI escalation: acme"), "\(queue.screen)")

            // Pick OPS-1 (the cursor moves to OPS-2), skip to OPS-3 and pick it, approve both.
            try tmux.keys("Space")
            try tmux.keys("j")
            try tmux.keys("Space")
            #expect(try await tmux.waitFor("2 picked").ok)
            try tmux.keys("a")
            let dialog = try await tmux.waitFor("Approve 2 plans?")
            #expect(dialog.ok && dialog.screen.contains("OPS-1 — Oldest plan") && dialog.screen.contains("OPS-3 — Newest plan"), "\(dialog.screen)")
            try tmux.type("both fine")
            try tmux.keys("Tab", "Enter")
            #expect(try await tmux.waitFor("Approvals — 1 waiting (0 plans)", timeout: 20).ok)
            try tmux.keys("q")

            for task in [first, second] {
                let approval = try #require(try await store.approval(taskId: task.id))
                #expect(approval.decision == .approved && approval.decidedBy == "dana" && approval.channel == .console && approval.reason == "both fine")
            }
            let decisions = try await store.auditTrail(since: nil, taskId: nil, limit: nil).filter { $0.kind == .decision }
            #expect(decisions.map(\.action) == ["approve", "approve"] && Set(decisions.compactMap(\.taskId)) == [first.id, second.id])
            #expect(try await store.task(id: escalated.id)?.status == .failed)
        }

        /// Two consoles on one store: each shows on its rows who else has that task open, as the
        /// other moves; the other quitting takes its name away (presence, never a lock).
        @Test func aSecondConsoleShowsWhoElseHasTheRowOpen() async throws {
            let state = TemporaryDirectory.make("presence-tmux").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            _ = try await seedAwaitingApproval(store, ticket: "OPS-1", title: "Oldest plan", at: Date().addingTimeInterval(-7200))
            _ = try await seedAwaitingApproval(store, ticket: "OPS-3", title: "Newest plan", at: Date().addingTimeInterval(-300))
            let dana = try TmuxSession(width: 120, height: 32, environment: isolatedEnvironment())
            let lee = try TmuxSession(width: 120, height: 32, environment: isolatedEnvironment())
            for (tmux, user) in [(dana, "dana"), (lee, "lee")] {
                try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as \(user)")
                try tmux.keys("Enter")
                #expect(try await tmux.waitFor("Needs approval 2").ok)
                try tmux.keys("A")
                #expect(try await tmux.waitFor("Approvals — 2 waiting").ok)
            }
            func row(_ screen: String, _ ticket: String) -> String { screen.split(separator: "\n").first { $0.contains(ticket) }.map(String.init) ?? "" }
            // Both are on OPS-1: each sees the other there.
            let seen = try await lee.waitFor { row($0, "OPS-1").contains("dana") }
            #expect(seen.ok && !row(seen.screen, "OPS-3").contains("dana"), "\(seen.screen)")
            #expect(try await dana.waitFor { row($0, "OPS-1").contains("lee") }.ok)
            // Dana moves to OPS-3; Lee's console follows.
            try dana.keys("j")
            let moved = try await lee.waitFor { row($0, "OPS-3").contains("dana") && !row($0, "OPS-1").contains("dana") }
            #expect(moved.ok, "\(moved.screen)")
            // Dana leaves: her name goes at once.
            try dana.keys("q")
            let gone = try await lee.waitFor { !$0.contains("dana") }
            #expect(gone.ok, "\(gone.screen)")
            try lee.keys("q")
        }
    }
}
