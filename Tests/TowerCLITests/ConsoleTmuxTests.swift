import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// The real `tower` binary in a real terminal (tmux): what an operator on a jump host sees.
    @Suite(.serialized) struct ConsoleTmuxTests {
        /// A state directory holding the sample tasks, dated now.
        private func seededState() async throws -> (URL, SQLiteStore) {
            let state = TemporaryDirectory.make("tmux").appendingPathComponent("state")
            let seed = try await ChildProcess.run(workerBinary, ["seed-sample", "--state-dir", state.path])
            #expect(seed.status == 0, "\(seed.err)")
            return (state, try SQLiteStore(directory: state))
        }

        private func launch(_ tmux: TmuxSession, state: URL, extra: String = "") throws {
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as dana \(extra)")
            try tmux.keys("Enter")
        }

        @Test func boardTaskLiveLogAndApprovalThroughKeys() async throws {
            let (state, store) = try await seededState()
            let tmux = try TmuxSession(width: 120, height: 32, environment: isolatedEnvironment())
            try launch(tmux, state: state)
            let board = try await tmux.waitFor("Needs approval 1")
            #expect(board.ok, "board not shown:\n\(board.screen)")
            #expect(board.screen.contains("Add OAuth login with Google"))
            #expect(board.screen.contains("awaiting_approval"))

            try tmux.type(":status t-7k2m9q4x")
            try tmux.keys("Enter")
            let task = try await tmux.waitFor("plan ready: awaiting approval")
            #expect(task.ok && task.screen.contains("1 Log"), "\(task.screen)")

            let sent = Date()
            let writer = try await ChildProcess.run(workerBinary, ["append-log", "--state-dir", state.path, "--task", "t-7k2m9q4x", "--count", "3", "--message", "from another process"])
            #expect(writer.status == 0)
            let appended = try await tmux.waitFor("from another process 2")
            #expect(appended.ok, "\(appended.screen)")
            print("log lines from another process on screen after \(String(format: "%.0f", Date().timeIntervalSince(sent) * 1000)) ms (poll 250 ms)")

            try tmux.keys("2")
            #expect(try await tmux.waitFor("Out of Scope").ok)
            try tmux.keys("a")
            #expect(try await tmux.waitFor("Approve the plan for PROJ-123?").ok)
            #expect(try await tmux.waitFor("Tasks: 3, 7 h estimated").ok)
            try tmux.type("ship it")
            try tmux.keys("Tab", "Enter")
            let done = try await tmux.waitFor("plan approved by dana via console")
            #expect(done.ok, "\(done.screen)")
            #expect(done.screen.contains("approved"))
            let approval = try #require(try await store.approval(taskId: "t-7k2m9q4x"))
            #expect(approval.decision == .approved && approval.decidedBy == "dana" && approval.channel == .console && approval.reason == "ship it")
            #expect(try await store.task(id: "t-7k2m9q4x")?.status == .approved)
            try tmux.keys("q")
        }

        @Test func resizingRelaysOutCleanly() async throws {
            let (state, _) = try await seededState()
            let tmux = try TmuxSession(width: 200, height: 60, environment: isolatedEnvironment())
            try launch(tmux, state: state)
            let wide = try await tmux.waitFor("Log — t-")
            #expect(wide.ok, "preview pane missing at 200 columns:\n\(wide.screen)")

            try tmux.resize(width: 80, height: 24)
            let narrow = try await tmux.waitFor { screen in
                let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
                // The whole frame, top border to bottom: a capture can land mid-paint.
                return lines.count >= 24 && !screen.contains("Log — t-") && lines[2].hasPrefix("┌") && lines[2].hasSuffix("┐") && lines[2].count == 80
                    && lines[21].hasPrefix("└") && lines[21].hasSuffix("┘")
            }
            #expect(narrow.ok, "not re-laid out at 80x24:\n\(narrow.screen)")
            let rows = narrow.screen.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(rows.allSatisfy { $0.count <= 80 })
            #expect(rows[21].hasPrefix("└") && rows[21].hasSuffix("┘"))

            try tmux.resize(width: 200, height: 60)
            let back = try await tmux.waitFor { $0.contains("Log — t-") }
            #expect(back.ok)
            let top = back.screen.split(separator: "\n", omittingEmptySubsequences: false)[2]
            #expect(top.hasPrefix("┌") && top.hasSuffix("┐") && top.count == 200, "\(top)")
            try tmux.keys("q")
        }

        /// A terminal that goes away without a hang-up reaching the console (here the console
        /// runs in a session of its own, so the pane's SIGHUP goes to `setsid`, not to it) ends
        /// the console within seconds, instead of leaving it reading a dead terminal.
        @Test func aConsoleWhoseTerminalVanishesWithoutAHangUpEnds() async throws {
            let (state, _) = try await seededState()
            let tmux = try TmuxSession(width: 100, height: 30, environment: isolatedEnvironment())
            try tmux.type("setsid -w \(towerBinary.path) --state-dir \(state.path) --no-engine --as dana")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("Needs approval").ok)
            /// The console's process ids (by its state directory on its command line).
            func consoles() -> [Int32] {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
                return entries.compactMap { entry in
                    guard let pid = Int32(entry), let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
                    let text = String(decoding: command, as: UTF8.self)
                    return text.contains(state.path) && !text.hasPrefix("setsid") ? pid : nil
                }
            }
            func running() -> Bool { !consoles().isEmpty }
            #expect(running())
            _ = try tmux.run(["-L", tmux.socket, "kill-server"])
            let deadline = Date().addingTimeInterval(120)
            while running(), Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
            #expect(!running(), "the console still runs after its terminal went away")
            for pid in consoles() { kill(pid, SIGKILL) }
        }

        @Test func quittingGivesTheTerminalBack() async throws {
            let (state, _) = try await seededState()
            let tmux = try TmuxSession(width: 100, height: 30, environment: isolatedEnvironment())
            try launch(tmux, state: state)
            #expect(try await tmux.waitFor("Needs approval 1").ok)
            #expect(try tmux.display("#{alternate_on}") == "1")
            #expect(try tmux.display("#{cursor_flag}") == "0")
            try tmux.keys("q")
            let shell = try await tmux.waitFor { screen in
                Self.endsAtPrompt(screen) && !screen.contains("Needs approval")
            }
            #expect(shell.ok, "no shell prompt after q:\n\(shell.screen)")
            #expect(try tmux.display("#{alternate_on}") == "0")
            #expect(try tmux.display("#{cursor_flag}") == "1")
            try tmux.type("echo typed-$((6*7))")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("typed-42").ok, "the shell does not echo input after the console quit")
        }

        @Test func sigtermAndSuspendLeaveTheTerminalUsable() async throws {
            let (state, _) = try await seededState()
            let tmux = try TmuxSession(width: 100, height: 30, environment: isolatedEnvironment())
            try launch(tmux, state: state)
            #expect(try await tmux.waitFor("Needs approval 1").ok)
            try tmux.keys("C-z")
            let stopped = try await tmux.waitFor { !$0.contains("Needs approval") && $0.contains("Stopped") }
            #expect(stopped.ok, "Ctrl-Z did not suspend:\n\(stopped.screen)")
            try tmux.type("fg")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("Needs approval 1").ok, "fg did not bring the console back")
            let shell = try tmux.display("#{pane_pid}")
            let console = try #require(try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-P", shell]).out.split(separator: "\n").first)
            kill(pid_t(String(console))!, SIGTERM)
            #expect(try await tmux.waitFor { !$0.contains("Needs approval") && Self.endsAtPrompt($0) }.ok)
            #expect(try tmux.display("#{cursor_flag}") == "1")
        }

        @Test func interruptRestoresTheTerminalToo() async throws {
            let (state, _) = try await seededState()
            let tmux = try TmuxSession(width: 100, height: 30, environment: isolatedEnvironment())
            try launch(tmux, state: state)
            #expect(try await tmux.waitFor("Needs approval 1").ok)
            try tmux.keys("C-c")
            #expect(try await tmux.waitFor { !$0.contains("Needs approval") && Self.endsAtPrompt($0) }.ok)
            #expect(try tmux.display("#{cursor_flag}") == "1")
        }

        /// Whether the last non-blank line is a shell prompt waiting for input.
        static func endsAtPrompt(_ screen: String) -> Bool {
            guard let last = screen.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return false }
            let line = last.trimmingCharacters(in: .whitespaces)
            return line.hasPrefix("PROMPT$") || (line.hasPrefix("bash-") && (line.hasSuffix("#") || line.hasSuffix("$")))
        }

        private static func colourCodes(_ screen: String) -> [String] {
            let pattern = try! NSRegularExpression(pattern: "\u{1B}\\[([0-9;:]*)m")
            var found: [String] = []
            for match in pattern.matches(in: screen, range: NSRange(screen.startIndex..., in: screen)) {
                let params = (screen as NSString).substring(with: match.range(at: 1)).split(whereSeparator: { $0 == ";" || $0 == ":" }).compactMap { Int($0) }
                var i = 0
                while i < params.count {
                    let p = params[i]
                    if (30...37).contains(p) || (40...47).contains(p) || (90...97).contains(p) || (100...107).contains(p) { found.append("\(p)") }
                    if p == 38 || p == 48 {
                        found.append("\(p)")
                        i += params.count > i + 1 && params[i + 1] == 5 ? 2 : 4
                    }
                    i += 1
                }
            }
            return found
        }

        @Test func noColorMeansNoColour() async throws {
            let (state, _) = try await seededState()
            let coloured = try TmuxSession(width: 100, height: 30, environment: isolatedEnvironment())
            try launch(coloured, state: state)
            #expect(try await coloured.waitFor("Needs approval 1").ok)
            let control = try coloured.capture(escapes: true)
            #expect(!Self.colourCodes(control).isEmpty, "the control run shows no colour: the check would prove nothing\n\(control.prefix(300).debugDescription)")
            try coloured.keys("q")

            let plain = try TmuxSession(width: 100, height: 30, environment: isolatedEnvironment(), extra: ["NO_COLOR": "1"])
            try launch(plain, state: state)
            #expect(try await plain.waitFor("Needs approval 1").ok)
            let screen = try plain.capture(escapes: true)
            #expect(Self.colourCodes(screen).isEmpty, "colour under NO_COLOR: \(Self.colourCodes(screen).prefix(5))")
            #expect(screen.contains("\u{1B}[7m") || screen.contains("\u{1B}[1m"), "attributes should still mark the selection")
            try plain.keys("q")
        }
    }
}
