import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport
@testable import TowerConsole

/// The Approvals screen: the queue oldest first, `a` on a row as on the board, and plans picked
/// with space approved together in one dialog that names each, a decision for each.
@Suite struct ApprovalsScreenTests {
    static func item(_ id: String, _ ticket: String, minutesAgo: Double, reason: WaitingItem.Reason, status: TaskStatus = .awaitingApproval) -> WaitingItem {
        var task = TowerTask(id: id, ticketId: ticket, title: "Story \(ticket)", source: .jira, status: status, createdAt: SampleData.now.addingTimeInterval(-7200), expiresAt: SampleData.now)
        task.updatedAt = SampleData.now.addingTimeInterval(-minutesAgo * 60)
        return WaitingItem(task: task, since: task.updatedAt, reason: reason, estimate: reason == .plan ? "~$0.0900, budget $0.1400" : nil)
    }

    static let queue = [
        { var plan = item("t-aaaa1111", "OPS-1", minutesAgo: 95, reason: .plan)
          plan.repositories = ["acme/api", "acme/web"]
          plan.planTasks = 3
          plan.summary = "Books and newspapers pay the reduced VAT rate; compute_vat reads VAT_RATES by the item's category instead of the flat rate."
          return plan }(),
        item("t-bbbb2222", "OPS-2", minutesAgo: 40, reason: .budget("a $0.40 call past the $0.30 budget"), status: .awaitingBudget),
        item("t-cccc3333", "OPS-3", minutesAgo: 12, reason: .planEdited("acme/api@1a2b3c4d (\"PLAN.md: drop task 3\")")),
        item("t-dddd4444", "OPS-4", minutesAgo: 3, reason: .escalation("acme/api: test_failure"), status: .failed),
    ]

    func opened(_ size: Size = Size(width: 200, height: 60)) -> AppState {
        var state = Fixture.board(size)
        #expect(Console.update(&state, .key(.character("A"))) == [.loadWaiting])
        _ = Console.update(&state, .waitingLoaded(Self.queue))
        return state
    }

    @Test func twoPickedPlansAreApprovedInOneDialogEachOnItsOwn() {
        var state = opened()
        #expect(state.screen == .approvals)
        _ = Console.update(&state, .key(.character(" ")))  // OPS-1, then the cursor moves on
        _ = Console.update(&state, .key(.character(" ")))  // OPS-2 waits for budget: not a plan
        #expect(state.picked == ["t-aaaa1111"] && state.status?.text.contains("only plans") == true)
        _ = Console.update(&state, .key(.character("j")))
        _ = Console.update(&state, .key(.character(" ")))  // OPS-3
        #expect(state.picked == ["t-aaaa1111", "t-cccc3333"])
        _ = Console.update(&state, .key(.character("a")))
        let dialog = try! #require(state.dialog)
        #expect(dialog.kind == .approveMany(["t-aaaa1111", "t-cccc3333"]) && dialog.title == "Approve 2 plans?")
        #expect(dialog.lines.contains("OPS-1 — Story OPS-1") && dialog.lines.contains("OPS-3 — Story OPS-3"))
        for key in "lgtm" { _ = Console.update(&state, .key(.character(key))) }
        _ = Console.update(&state, .key(.tab))
        let effects = Console.update(&state, .key(.enter))
        #expect(effects == [.approve(taskId: "t-aaaa1111", note: "lgtm"), .approve(taskId: "t-cccc3333", note: "lgtm")])
        #expect(state.picked.isEmpty)
    }

    @Test func withNothingPickedAActsOnTheSelectedRowAndEnterOpensIt() {
        var state = opened()
        _ = Console.update(&state, .key(.character("a")))
        #expect(state.dialog?.kind == .approve(taskId: "t-aaaa1111"))
        _ = Console.update(&state, .key(.escape))
        _ = Console.update(&state, .key(.character("j")))
        _ = Console.update(&state, .key(.character("b")))
        #expect(state.dialog?.kind == .budget(taskId: "t-bbbb2222"))
        _ = Console.update(&state, .key(.escape))
        let effects = Console.update(&state, .key(.enter))
        #expect(state.screen == .task("t-bbbb2222") && effects.contains(.loadDetail(taskId: "t-bbbb2222")) && state.tab == .log)
        // A plan opens on the plan, an edited plan on its diff, an escalation on CI.
        for (row, tab) in [(0, TaskTab.plan), (2, .diff), (3, .ci)] {
            _ = Console.update(&state, .key(.character("A")))
            _ = Console.update(&state, .waitingLoaded(Self.queue))
            state.waitingTop = row
            _ = Console.update(&state, .key(.enter))
            #expect(state.tab == tab)
        }
    }

    @Test func aNewQueueKeepsTheSelectionAndDropsPicksThatNoLongerWait() {
        var state = opened()
        _ = Console.update(&state, .key(.character(" ")))
        #expect(state.waiting[state.waitingTop].task.id == "t-bbbb2222")
        _ = Console.update(&state, .waitingLoaded(Array(Self.queue.dropFirst())))
        #expect(state.picked.isEmpty && state.waiting[state.waitingTop].task.id == "t-bbbb2222")
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 200, height: 60)])
    func render(_ size: Size) {
        var state = opened(size)
        _ = Console.update(&state, .key(.character(" ")))
        _ = Console.update(&state, .key(.character("k")))  // back on OPS-1: its plan below the queue
        // Lee has OPS-1 open in another console; OPS-3 is paused.
        _ = Console.update(&state, .presenceChanged(["t-aaaa1111": ["lee"]]))
        _ = Console.update(&state, .haltsChanged([Halt(scope: .task, name: "t-cccc3333", by: "kim", channel: "slack_command", at: SampleData.now)]))
        expectSnapshot(ConsoleView.render(state), "approvals-\(size.width)x\(size.height)")
    }
}
