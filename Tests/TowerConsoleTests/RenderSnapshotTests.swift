import Foundation
import Testing
import TowerConsole
import TowerCore
import TowerStore
import TowerTestSupport

private let sizes: [(String, Size)] = [("80x24", Size(width: 80, height: 24)), ("200x60", Size(width: 200, height: 60))]

@Suite struct RenderSnapshotTests {
    @Test(arguments: [0, 1])
    func board(_ i: Int) {
        let (name, size) = sizes[i]
        expectSnapshot(ConsoleView.render(Fixture.board(size)), "board-\(name)")
    }

    /// Each task's model cost in its own column (wide terminals), "?" where no call has a price,
    /// and today's total beside the groups.
    @Test(arguments: [0, 1])
    func boardWithCosts(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        let ids = state.visible
        var spend: [String: Spend] = [:]
        if ids.count > 2 {
            spend[ids[0]] = Spend(dollars: 0.0412, calls: 6)
            spend[ids[1]] = Spend(dollars: 0, calls: 2, unpriced: 2)
            spend[ids[2]] = Spend(dollars: 12.3, calls: 40, unpriced: 1)
        }
        _ = Console.update(&state, .spendLoaded(spend, today: Spend(dollars: 12.3412, calls: 48, unpriced: 3)))
        expectSnapshot(ConsoleView.render(state), "board-costs-\(name)")
    }

    @Test(arguments: [0, 1])
    func boardFilteredAndFrozen(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        for key in "/exec" { _ = Console.update(&state, .key(.character(key))) }
        _ = Console.update(&state, .key(.enter))
        _ = Console.update(&state, .freezeChanged(FreezeState(frozen: true, by: "oncall", at: SampleData.now)))
        expectSnapshot(ConsoleView.render(state), "board-filtered-frozen-\(name)")
    }

    @Test(arguments: TaskTab.allCases.flatMap { tab in [0, 1].map { (tab, $0) } })
    func taskTab(_ tab: TaskTab, _ i: Int) {
        let (name, size) = sizes[i]
        expectSnapshot(ConsoleView.render(Fixture.task(size, tab: tab)), "task-\(tab.rawValue)-\(name)")
    }

    @Test(arguments: [0, 1])
    func outbox(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        _ = Console.update(&state, .key(.character("o")))
        _ = Console.update(&state, .outboxLoaded(Fixture.outbox))
        expectSnapshot(ConsoleView.render(state), "outbox-\(name)")
    }

    @Test(arguments: [0, 1])
    func sentry(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        _ = Console.update(&state, .key(.character("S")))
        _ = Console.update(&state, .sentryLoaded(passes: Fixture.sentryPasses, fingerprints: Fixture.sentryFingerprints))
        var health = state.health
        health.sentryPass = Fixture.sentryPasses[1]
        _ = Console.update(&state, .healthChanged(health))
        expectSnapshot(ConsoleView.render(state), "sentry-\(name)")
    }

    /// The workers sharing a PostgreSQL store (`W`): one running, one that missed a heartbeat,
    /// one whose claims expired, one stopped; and on the health line, the silent and lost ones.
    @Test(arguments: [0, 1])
    func workers(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        let now = state.now
        func worker(_ host: String, pid: Int32, heard: TimeInterval, tasks: Int, stopped: Bool = false) -> WorkerRecord {
            WorkerRecord(
                id: "\(host):\(pid):9f3a1c2e", host: host, pid: pid, startedAt: now.addingTimeInterval(-7_200), heartbeatAt: now.addingTimeInterval(-heard),
                expiresAt: now.addingTimeInterval(-heard + 10), tasksHeld: tasks, stoppedAt: stopped ? now.addingTimeInterval(-heard) : nil)
        }
        let workers = [
            worker("worker-a.internal", pid: 4121, heard: 1, tasks: 4), worker("worker-b.internal", pid: 977, heard: 6, tasks: 3),
            worker("worker-c.internal", pid: 31002, heard: 42, tasks: 2), worker("jump-1", pid: 5150, heard: 3_600, tasks: 0, stopped: true),
        ]
        #expect(Console.update(&state, .key(.character("W"))) == [.loadWorkers])
        _ = Console.update(&state, .workersLoaded(workers))
        var health = state.health
        health.engine = .watching(holder: "1 worker on worker-a.internal; silent: worker-b.internal (6s); lost: worker-c.internal (42s)")
        _ = Console.update(&state, .healthChanged(health))
        expectSnapshot(ConsoleView.render(state), "workers-\(name)")
    }

    @Test(arguments: [0, 1])
    func deliveries(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        _ = Console.update(&state, .key(.character("D")))
        _ = Console.update(&state, .deliveriesLoaded(Fixture.deliveries))
        var health = state.health
        health.listener = Fixture.listener
        _ = Console.update(&state, .healthChanged(health))
        _ = Console.update(&state, .key(.character("j")))
        expectSnapshot(ConsoleView.render(state), "deliveries-\(name)")
        #expect(Console.update(&state, .key(.character("R"))) == [.redeliver(id: "github-72d3162e-cc78-11e3")])
    }

    @Test(arguments: [0, 1])
    func help(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        _ = Console.update(&state, .key(.character("?")))
        expectSnapshot(ConsoleView.render(state), "help-\(name)")
    }

    @Test(arguments: [0, 1])
    func approveDialog(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.task(size, tab: .plan)
        _ = Console.update(&state, .key(.character("a")))
        for key in "lgtm" { _ = Console.update(&state, .key(.character(key))) }
        expectSnapshot(ConsoleView.render(state), "dialog-approve-\(name)")
    }

    @Test(arguments: [0, 1])
    func rejectDialog(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        state.selection = Fixture.waiting.id
        _ = Console.update(&state, .key(.character("r")))
        expectSnapshot(ConsoleView.render(state), "dialog-reject-\(name)")
    }

    /// A task stopped at its budget: the grant dialog (`b`) says why, what it spent, and offers
    /// half the budget; the task's header shows its cost against the budget.
    @Test(arguments: [0, 1])
    func budgetDialog(_ i: Int) {
        let (name, size) = sizes[i]
        var state = Fixture.board(size)
        var task = Fixture.waiting
        task.status = .awaitingBudget
        task.step = .execution
        task.budget = 0.5
        task.waitingFor = "the next model call (≈$0.0450) would pass the task's budget: $0.4800 of $0.5000 spent"
        _ = Console.update(&state, .tasksLoaded([task]))
        _ = Console.update(&state, .spendLoaded([task.id: Spend(dollars: 0.48, calls: 11)], today: Spend(dollars: 1.2, calls: 30)))
        _ = Console.update(&state, .key(.enter))
        let effects = Console.update(&state, .key(.character("b")))
        #expect(effects.isEmpty)
        expectSnapshot(ConsoleView.render(state), "dialog-budget-\(name)")
    }

    @Test func boardInASCIIForTerminalsWithoutUTF8() {
        expectSnapshot(ConsoleView.render(Fixture.board(Size(width: 80, height: 24), glyphs: .ascii)), "board-ascii-80x24")
    }

    @Test func doubleWidthCharactersTakeTwoColumns() {
        var canvas = Canvas(size: Size(width: 10, height: 1))
        let used = canvas.put("日本🚀x", x: 0, y: 0)
        #expect(used == 7)
        #expect(canvas.text() == "日本🚀x")
        #expect(canvas[1, 0].width == 0 && canvas[0, 0].width == 2)
        var clipped = Canvas(size: Size(width: 3, height: 1))
        clipped.put("a日本", x: 0, y: 0)
        #expect(clipped.text() == "a日")
        var edge = Canvas(size: Size(width: 2, height: 1))
        edge.put("a日", x: 0, y: 0)
        #expect(edge.text() == "a")
    }

    @Test func controlCharactersNeverReachTheTerminal() {
        var canvas = Canvas(size: Size(width: 20, height: 1))
        canvas.put("a\u{1B}[2Jb\u{07}c\td", x: 0, y: 0)
        #expect(canvas.text() == "a�[2Jb�c d")
    }

    @Test func aFailedTaskSaysHowManyAttemptsItHadARetryingOneWhichAttemptItIsOn() throws {
        var state = Fixture.task(Size(width: 120, height: 30), tab: .timeline)
        let id = try #require(state.tasks.keys.first { state.tasks[$0]?.status == .awaitingApproval })
        state.tasks[id]?.status = .failed
        state.tasks[id]?.attempts = 3
        #expect(ConsoleView.render(state).text().contains("failed  planning  40%  after 3 attempts"))
        // A running task's attempts count the one it is on: the first is not shown, the second is.
        state.tasks[id]?.status = .discovery
        state.tasks[id]?.attempts = 1
        #expect(!ConsoleView.render(state).text().contains("attempt"))
        state.tasks[id]?.attempts = 2
        #expect(ConsoleView.render(state).text().contains("attempt 2"))
    }

    @Test func tinyTerminalsSaySo() {
        let state = AppState(size: Size(width: 15, height: 4), now: SampleData.now, user: "x")
        #expect(ConsoleView.render(state).text().hasPrefix("Tower: terminal"))
    }
}
