import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// The mouse in the real console, over tmux's mouse mode: the console turns reporting on
    /// (and `--no-mouse` leaves it off); a click selects a row and a second opens it, a click on
    /// a tab switches to it, the wheel scrolls the log, and a click on a dialog's button presses it.
    /// The events are the bytes tmux writes to the pane in the encoding the pane asked for.
    @Suite(.serialized) struct MouseTmuxTests {
        /// Sends a mouse event to the pane as tmux would: SGR (`ESC [ < b ; x ; y M`) when the
        /// pane turned SGR on, the X10 bytes otherwise; a press of the first button is followed by
        /// its release, as a real click is (the wheel has none). `x` and `y` count from 0.
        static func send(_ tmux: TmuxSession, button: Int, x: Int, y: Int) throws {
            let sgr = try tmux.display("#{mouse_sgr_flag}") == "1"
            func event(_ code: Int, release: Bool) -> [UInt8] {
                sgr ? Array("\u{1b}[<\(code);\(x + 1);\(y + 1)\(release ? "m" : "M")".utf8) : [0x1b, 0x5b, 0x4d, UInt8(32 + (release ? 3 : code)), UInt8(33 + x), UInt8(33 + y)]
            }
            let bytes = event(button, release: false) + (button < 64 ? event(button, release: true) : [])
            _ = try tmux.run(["-L", tmux.socket, "send-keys", "-t", tmux.name, "-H"] + bytes.map { String(format: "%02x", $0) })
        }

        /// Where `text` is on the screen (column, row), if it is.
        static func find(_ text: String, in screen: String) -> (x: Int, y: Int)? {
            for (y, line) in screen.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if let range = line.range(of: text) { return (line[..<range.lowerBound].count, y) }
            }
            return nil
        }

        @Test func clicksSelectOpenAndPressAndTheWheelScrolls() async throws {
            let state = TemporaryDirectory.make("mouse").appendingPathComponent("state")
            let seed = try await ChildProcess.run(workerBinary, ["seed-sample", "--state-dir", state.path])
            #expect(seed.status == 0, "\(seed.err)")
            let store = try SQLiteStore(directory: state)
            let tmux = try TmuxSession(width: 120, height: 32, environment: isolatedEnvironment())
            _ = try tmux.run(["-L", tmux.socket, "set-option", "-g", "mouse", "on"])
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as dana")
            try tmux.keys("Enter")
            let board = try await tmux.waitFor("Needs approval 1")
            #expect(board.ok, "\(board.screen)")
            #expect(try tmux.display("#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}").contains("1"), "the console turned mouse reporting on")

            // A click on the third task's row selects it; a second click opens it.
            let lines = board.screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let rows = lines.enumerated().filter { $0.element.contains(" t-") }
            #expect(rows.count >= 3, "\(board.screen)")
            let (y, row) = rows[2]
            let id = String(row[row.range(of: "t-")!.lowerBound...].prefix(10))
            try Self.send(tmux, button: 0, x: 20, y: y)
            try Self.send(tmux, button: 0, x: 20, y: y)
            let opened = try await tmux.waitFor("Task \(id)")
            #expect(opened.ok, "\(opened.screen)")

            // The approval's task: a click on its Plan tab, then on the log, then the wheel.
            try tmux.type(":status t-7k2m9q4x")
            try tmux.keys("Enter")
            let task = try await tmux.waitFor("Task t-7k2m9q4x")
            let plan = try #require(Self.find("2 Plan", in: task.screen))
            try Self.send(tmux, button: 0, x: plan.x + 1, y: plan.y)
            #expect(try await tmux.waitFor("Out of Scope").ok)
            let log = try #require(Self.find("1 Log", in: try tmux.capture()))
            try Self.send(tmux, button: 0, x: log.x + 1, y: log.y)
            let writer = try await ChildProcess.run(
                workerBinary, ["append-log", "--state-dir", state.path, "--task", "t-7k2m9q4x", "--count", "120", "--message", "wheel line"])
            #expect(writer.status == 0)
            let bottom = try await tmux.waitFor("wheel line 119")
            #expect(bottom.ok, "\(bottom.screen)")
            for _ in 0..<10 { try Self.send(tmux, button: 64, x: 40, y: 15) }
            let scrolled = try await tmux.waitFor { !$0.contains("wheel line 119") && $0.contains("wheel line 80") }
            #expect(scrolled.ok, "ten notches up (30 lines):\n\(scrolled.screen)")
            for _ in 0..<20 { try Self.send(tmux, button: 65, x: 40, y: 15) }
            #expect(try await tmux.waitFor("wheel line 119").ok)

            // The approve dialog's button, by a click.
            try tmux.keys("a")
            let dialog = try await tmux.waitFor("Approve the plan for PROJ-123?")
            let button = try #require(Self.find("[ Approve ]", in: dialog.screen), "\(dialog.screen)")
            try Self.send(tmux, button: 0, x: button.x + 3, y: button.y)
            let done = try await tmux.waitFor("plan approved by dana via console")
            #expect(done.ok, "\(done.screen)")
            #expect(try await store.approval(taskId: "t-7k2m9q4x")?.decidedBy == "dana")
            try tmux.keys("q")
            // Back at the shell (the alternate screen given back).
            let left = Date().addingTimeInterval(15)
            while try tmux.display("#{alternate_on}") != "0", Date() < left { try await Task.sleep(nanoseconds: 50_000_000) }
            #expect(try tmux.display("#{alternate_on}") == "0")

            // --no-mouse: reporting stays off, so the terminal keeps its own selection.
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as dana --no-mouse")
            try tmux.keys("Enter")
            #expect(try await tmux.waitFor("Needs approval").ok)
            #expect(try tmux.display("#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}#{mouse_sgr_flag}") == "0000")
            try tmux.keys("q")
        }
    }
}
