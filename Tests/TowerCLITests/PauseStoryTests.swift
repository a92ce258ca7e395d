import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// Pauses through every channel but the engine's own (PauseTests drives that): the console's
    /// `:pause acme/ledger` (tmux) shows on the health line and the board, `tower agent pause|resume`,
    /// and a signed `/agent pause` to `tower serve`; each is a decision with who and where.
    @Suite(.serialized) struct PauseStoryTests {
        @Test func pausesFromTheConsoleTheCLIAndASignedSlackCommandShowAndAreRecorded() async throws {
            let state = TemporaryDirectory.make("pause-story").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let waiting = try await seedAwaitingApproval(store, ticket: "PAU-1", title: "Story PAU-1").id

            // 1. The console: pause the repository, then the task under the cursor.
            let tmux = try TmuxSession(width: 120, height: 32, environment: isolatedEnvironment())
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as dana")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("Needs approval 1").ok)
            try tmux.type(":pause acme/ledger")
            try tmux.keys("Enter")
            let health = try await tmux.waitFor("paused: acme/ledger")
            #expect(health.ok, "\(health.screen)")
            try tmux.type(":pause")
            try tmux.keys("Enter")
            let board = try await tmux.waitFor("paused: Story PAU-1")
            #expect(board.ok && board.screen.contains("paused: acme/ledger +1"), "\(board.screen)")
            try tmux.keys("q")

            // 2. The command line lists and resumes them.
            let listed = try await ChildProcess.run(towerBinary, ["agent", "pause", "--state-dir", state.path], environment: isolatedEnvironment())
            #expect(listed.status == 0 && listed.out.contains("⏸ repository acme/ledger") && listed.out.contains("⏸ task \(waiting)"), "\(listed.out)\(listed.err)")
            let resumed = try await ChildProcess.run(
                towerBinary, ["agent", "resume", waiting, "--state-dir", state.path, "--as", "carol"], environment: isolatedEnvironment())
            #expect(resumed.status == 0 && resumed.out.contains("resumed \(waiting)"), "\(resumed.out)\(resumed.err)")
            let bad = try await ChildProcess.run(towerBinary, ["agent", "pause", "ledger", "--state-dir", state.path], environment: isolatedEnvironment())
            #expect(bad.status != 0 && bad.err.contains("neither a task id"), "\(bad.err)")

            // 3. Slack: a signed /agent pause, then /agent resume of the repository, by the inbox.
            let serve = try ChildProcess(
                towerBinary, ["serve", "--state-dir", state.path, "--port", "0"],
                environment: isolatedEnvironment(["SLACK_SIGNING_SECRET": "slack-secret", "TOWER_SLACK_APPROVERS": "U777"]))
            defer { serve.kill() }
            #expect(await serve.waitForLines(timeout: 30) { $0.contains("listening on 127.0.0.1:") }, "\(serve.errorOutput)")
            let line = serve.output.first { $0.contains("listening on 127.0.0.1:") } ?? ""
            let port = line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
            #expect(try await postSlashCommand("pause \(waiting)", port: port) == 200)
            #expect(try await eventually { try await store.halts().contains { $0.name == waiting && $0.by == "sam" } }, "\(serve.errorOutput)")
            #expect(try await postSlashCommand("resume acme/ledger", port: port) == 200)
            #expect(try await eventually { try await !store.halts().contains { $0.name == "acme/ledger" } }, "\(serve.errorOutput)")
            serve.kill()

            // Every pause and resume, with who and where, in order.
            let export = try await ChildProcess.run(towerBinary, ["audit", "--state-dir", state.path, "--format", "jsonl"], environment: isolatedEnvironment())
            let rows = export.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { ["pause", "resume"].contains($0["action"] as? String ?? "") }
            #expect(
                rows.map { "\($0["action"] as? String ?? "") \($0["user"] as? String ?? "") \($0["channel"] as? String ?? "")" } == [
                    "pause dana console", "pause dana console", "resume carol cli", "pause sam slack_command", "resume sam slack_command",
                ], "\(export.out)")
        }
    }
}
