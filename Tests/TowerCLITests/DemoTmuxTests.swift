import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// `tower demo` in a real terminal: the operator watches DEMO-1 move, approves with `a`, and
    /// reads the diff once it completes.
    @Suite(.serialized) struct DemoTmuxTests {
        @Test func theOperatorWatchesApprovesAndReadsTheDiff() async throws {
            let state = TemporaryDirectory.make("demo-tmux").appendingPathComponent("state")
            let tmux = try TmuxSession(width: 120, height: 32, environment: isolatedEnvironment())
            try tmux.type("\(towerBinary.path) demo --state-dir \(state.path) --as dana")
            try tmux.keys("Enter")

            // The first screen: the ticket on the board, on its way (not an empty board).
            let first = try await tmux.waitFor { $0.contains("DEMO-1") }
            #expect(first.ok, "the board did not show DEMO-1:\n\(first.screen)")
            let moving = ["started", "discovery", "planning"].contains { first.screen.contains($0) }
            #expect(moving, "DEMO-1 is not moving on the first screen:\n\(first.screen)")

            let waiting = try await tmux.waitFor("awaiting_approval", timeout: 60)
            #expect(waiting.ok, "\(waiting.screen)")
            try tmux.keys("a")
            let dialog = try await tmux.waitFor("Approve the plan for DEMO-1?")
            #expect(dialog.ok, "\(dialog.screen)")
            try tmux.keys("Tab", "Enter")
            #expect(try await tmux.waitFor("plan approved by dana via console").ok)

            let done = try await tmux.waitFor("completed", timeout: 120)
            #expect(done.ok, "\(done.screen)")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("1 Log").ok)
            try tmux.keys("3")
            let diff = try await tmux.waitFor("Diff — file 1 of")
            #expect(diff.ok, "\(diff.screen)")
            #expect(diff.screen.contains("discount_code"), "\(diff.screen)")
            try tmux.keys("q")

            let store = try SQLiteStore(directory: state.appendingPathComponent("demo/state"))
            let task = try #require(try await store.tasks(status: nil, limit: nil).first)
            #expect(task.status == .completed)
            let approval = try #require(try await store.approval(taskId: task.id))
            #expect(approval.decidedBy == "dana" && approval.channel == .console)
        }
    }
}
