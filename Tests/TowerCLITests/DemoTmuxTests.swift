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

            // y on a log line: search puts "tests pass" at the top of the view; tmux's buffer
            // then holds that line as the screen shows it.
            let store = try SQLiteStore(directory: state.appendingPathComponent("demo/state"))
            let task = try #require(try await store.tasks(status: nil, limit: nil).first)
            let line = try #require(try await store.events(taskId: task.id, after: nil, limit: nil).first { $0.message.contains("tests pass") })
            try tmux.keys("/")
            try tmux.type("tests pass")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("paused").ok)
            try tmux.keys("y")
            let copied = try await tmux.waitFor("into tmux's buffer (tmux load-buffer -w)")
            #expect(copied.ok, "\(copied.screen)")
            let clock = DateFormatter()
            clock.dateFormat = "HH:mm:ss"
            clock.timeZone = TimeZone(identifier: "UTC")
            #expect(try tmux.run(["-L", tmux.socket, "show-buffer"]) == "\(clock.string(from: line.at)) INFO  \(line.agent): \(line.message)")

            // y on a diff hunk: the first hunk of the first file, exactly as stored.
            try tmux.keys("3")
            let diff = try await tmux.waitFor("Diff — file 1 of")
            #expect(diff.ok, "\(diff.screen)")
            #expect(diff.screen.contains("discount_code"), "\(diff.screen)")
            // The first file's newest diff, as the Diff tab loads it.
            let diffs = try await store.artifacts(taskId: task.id, kind: .diff)
            let newest = try #require(diffs.last { $0.name == diffs.first?.name })
            let lines = String(decoding: newest.content, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let start = try #require(lines.firstIndex { $0.hasPrefix("@@") })
            let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("@@") } ?? lines.endIndex
            var hunk = Array(lines[start..<end])
            while hunk.last?.isEmpty == true { hunk.removeLast() }
            try tmux.keys("y")
            #expect(try await tmux.waitFor("copied diff hunk").ok)
            #expect(try tmux.run(["-L", tmux.socket, "show-buffer"]) == hunk.joined(separator: "\n"))
            try tmux.keys("q")

            #expect(task.status == .completed)
            let approval = try #require(try await store.approval(taskId: task.id))
            #expect(approval.decidedBy == "dana" && approval.channel == .console)
        }
    }
}
