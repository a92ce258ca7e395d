import Foundation
import Testing
import TowerConsole
import TowerCore
import TowerStore
import TowerTestSupport

private let size = Size(width: 100, height: 30)

@discardableResult
private func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
    keys.flatMap { Console.update(&state, .key($0)) }
}

@discardableResult
private func type(_ state: inout AppState, _ text: String) -> [Effect] {
    text.flatMap { Console.update(&state, .key(.character($0))) }
}

@Suite struct UpdateTests {
    @Test func filterIsSmartCaseAndEveryWordMustMatch() {
        var state = Fixture.board(size)
        press(&state, .character("/"))
        type(&state, "oauth")
        #expect(state.visible == ["t-7k2m9q4x"])
        press(&state, .enter)
        #expect(state.prompt == nil && state.filter == "oauth")
        press(&state, .character("/"), .control("u"))
        type(&state, "OAUTH")
        #expect(state.visible.isEmpty)  // a capital makes the term case-sensitive
        press(&state, .control("u"))
        type(&state, "PROJ-1 fail")
        #expect(state.visible == ["t-9r4t2w8e"])
        press(&state, .escape)
        #expect(state.filter.isEmpty && state.visible.count == 7)
    }

    @Test func groupsAndSortReorderTheBoard() {
        var state = Fixture.board(size)
        press(&state, .tab)
        #expect(state.group == .needsApproval && state.visible == ["t-7k2m9q4x"])
        press(&state, .tab, .tab)
        #expect(state.group == .failed && state.visible == ["t-9r4t2w8e"])
        press(&state, .backTab, .backTab, .backTab)
        #expect(state.group == .all)
        press(&state, .character("s"))
        #expect(state.sort == .created && state.visible.first == "t-8z7x6c5v")
        press(&state, .character("s"), .character("s"))
        #expect(state.sort == .ticket && state.visible.first == "t-5h6j7k8l")
    }

    @Test func movingTheSelectionLoadsThePreview() {
        var state = Fixture.board(size)
        let effects = press(&state, .character("j"))
        #expect(effects == [.loadPreview(taskId: state.selection!)])
        #expect(press(&state, .character("G")).count == 1)
        #expect(state.selection == state.visible.last)
    }

    @Test func tabsSwitchByKeyAndNumber() {
        var state = Fixture.task(size)
        #expect(state.tab == .log)
        press(&state, .tab)
        #expect(state.tab == .plan)
        press(&state, .character("7"))
        #expect(state.tab == .llm)
        press(&state, .tab)
        #expect(state.tab == .log)
        press(&state, .backTab)
        #expect(state.tab == .llm)
        press(&state, .escape)
        #expect(state.screen == .board && state.log == nil)
    }

    @Test func approveAsksFirstWithCancelFocusedAndTakesANote() {
        var state = Fixture.board(size)
        state.selection = Fixture.waiting.id
        #expect(press(&state, .character("a")) == [.loadDetail(taskId: Fixture.waiting.id)])
        #expect(state.dialog?.confirmFocused == false)
        #expect(state.dialog?.lines.last == "Loading the plan…")
        _ = Console.update(&state, .detailLoaded(Fixture.detail))
        #expect(state.dialog?.lines.contains("Tasks: 3, 7 h estimated") == true)
        #expect(press(&state, .enter).isEmpty)  // Enter on Cancel
        #expect(state.dialog == nil)

        press(&state, .character("a"))
        type(&state, "lgtm")
        press(&state, .tab)
        #expect(press(&state, .enter) == [.approve(taskId: Fixture.waiting.id, note: "lgtm")])
        #expect(state.dialog == nil)
    }

    @Test func budgetGrantsTheAmountTypedOrStopsAndOnlyForATaskWaitingForBudget() {
        var state = Fixture.board(size)
        state.selection = Fixture.waiting.id
        press(&state, .character("b"))
        #expect(state.dialog == nil && state.status?.text.contains("is not waiting for budget") == true)
        var task = Fixture.waiting
        task.status = .awaitingBudget
        task.budget = 3
        _ = Console.update(&state, .tasksLoaded([task]))
        state.selection = task.id
        press(&state, .character("b"))
        // Half the budget, in whole dollars, is offered.
        #expect(state.dialog?.field?.text == "2" && state.dialog?.confirmFocused == false)
        press(&state, .tab)
        #expect(press(&state, .enter) == [.grantBudget(taskId: task.id, amount: 2)])
        press(&state, .character("b"))
        press(&state, .control("u"))
        type(&state, "$2.50")
        press(&state, .tab)
        #expect(press(&state, .enter) == [.grantBudget(taskId: task.id, amount: 2.5)])
        press(&state, .character("b"))
        press(&state, .control("u"))
        type(&state, "stop")
        press(&state, .tab)
        #expect(press(&state, .enter) == [.grantBudget(taskId: task.id, amount: nil)])
        press(&state, .character("b"))
        press(&state, .control("u"))
        type(&state, "lots")
        press(&state, .tab)
        #expect(press(&state, .enter).isEmpty)
        #expect(state.status?.text.contains("is not an amount") == true)
    }

    @Test func rejectTakesAReasonAndEscapeCancels() {
        var state = Fixture.board(size)
        state.selection = Fixture.waiting.id
        press(&state, .character("r"))
        type(&state, "touches billing")
        press(&state, .escape)
        #expect(state.dialog == nil)
        press(&state, .character("r"))
        type(&state, "touches billingg")
        press(&state, .backspace, .left)
        #expect(press(&state, .enter) == [.reject(taskId: Fixture.waiting.id, reason: "touches billing")])
    }

    @Test func decisionsOnTheWrongTaskSayWhy() {
        var state = Fixture.board(size)
        state.selection = "t-3p8v1c6d"
        #expect(press(&state, .character("a")).isEmpty)
        #expect(state.dialog == nil)
        #expect(state.status == StatusMessage(text: "t-3p8v1c6d is not awaiting approval (it is executing)", level: .error))
        press(&state, .character("R"))
        #expect(state.status?.text == "t-3p8v1c6d has not failed (it is executing)")
        state.selection = "t-9r4t2w8e"
        press(&state, .character("R"))
        #expect(state.dialog?.kind == .retry(taskId: "t-9r4t2w8e"))
        #expect(state.dialog?.lines.contains("Resumes at execution; earlier steps are not re-run.") == true)
        #expect(press(&state, .character("y")) == [.retry(taskId: "t-9r4t2w8e")])
    }

    @Test func followTogglesAndScrollingUpPausesIt() {
        var state = Fixture.task(Size(width: 100, height: 12))
        #expect(state.log?.follow == true)
        press(&state, .character("k"))
        #expect(state.log?.follow == false)
        press(&state, .character("G"))
        #expect(state.log?.follow == true)
        press(&state, .character("f"))
        #expect(state.log?.follow == false && state.status?.text == "follow off")
        press(&state, .character("f"))
        #expect(state.log?.follow == true)
    }

    @Test func searchAndNextErrorJumpThroughTheLog() {
        var state = Fixture.task(Size(width: 100, height: 12))
        press(&state, .character("e"))
        #expect(state.log?.follow == false)
        #expect(state.log?.lines[state.log!.top].level == .error)
        press(&state, .character("/"))
        type(&state, "discovery")
        press(&state, .enter)
        #expect(state.log?.search == "discovery")
        let first = state.log!.top
        press(&state, .character("n"))
        #expect(state.log!.top > first)
        press(&state, .character("N"))
        #expect(state.log!.top == first)
    }

    @Test func theLogStaysBoundedAndPagesBackFromTheStore() {
        var state = Fixture.task(Size(width: 100, height: 12))
        let id = Fixture.waiting.id
        let many = (100..<5100).map { TaskEvent(sequence: Int64($0), taskId: id, at: SampleData.now, level: .info, agent: "execution", message: "line \($0)") }
        _ = Console.update(&state, .logAppended(many))
        #expect(state.log?.lines.count == state.log?.capacity)
        #expect(state.log?.lines.last?.message == "line 5099")
        #expect(state.log?.reachedStart == false)
        let effects = press(&state, .character("g"))
        #expect(effects == [.loadLog(taskId: id, before: 3100, count: 500)])
        _ = Console.update(&state, .logAppended([TaskEvent(sequence: 4000, taskId: id, at: SampleData.now, level: .info, agent: "x", message: "old duplicate")]))
        #expect(state.log?.lines.last?.message == "line 5099")
    }

    @Test func freezeAsksThenTellsTheEngine() {
        var state = Fixture.board(size)
        press(&state, .character("F"))
        #expect(state.dialog?.kind == .freeze(on: true) && state.dialog?.confirmFocused == false)
        #expect(press(&state, .character("n")).isEmpty)
        press(&state, .character("F"))
        #expect(press(&state, .right, .enter) == [.setFrozen(true)])
        _ = Console.update(&state, .freezeChanged(FreezeState(frozen: true, by: "dana", at: SampleData.now)))
        #expect(ConsoleView.render(state).text().contains("FROZEN by dana"))
        press(&state, .character("F"))
        #expect(state.dialog?.kind == .freeze(on: false))
    }

    @Test func aTaskThatStartsWaitingOrFailsRingsAndIsMarked() {
        var state = Fixture.board(size)
        var task = SampleData.tasks[1]
        task.status = .failed
        let effects = Console.update(&state, .tasksChanged([task]))
        #expect(effects.contains(.bell))
        #expect(state.attention.contains(task.id))
        #expect(ConsoleView.render(state).text().contains("! 1 needs attention"))
        state.selection = task.id
        press(&state, .enter)
        #expect(state.attention.isEmpty)
        state.bellOnAttention = false
        var other = SampleData.tasks[5]
        other.status = .failed
        #expect(!Console.update(&state, .tasksChanged([other])).contains(.bell))
    }

    @Test func aTaskDecidedElsewhereNoLongerNeedsAttention() {
        var state = Fixture.board(size)
        var task = SampleData.tasks[1]
        task.status = .awaitingApproval
        _ = Console.update(&state, .tasksChanged([task]))
        #expect(state.attention.contains(task.id))
        // Approved in Slack: the operator has nothing left to do for it.
        task.status = .approved
        #expect(!Console.update(&state, .tasksChanged([task])).contains(.bell))
        #expect(state.attention.isEmpty)
        #expect(!ConsoleView.render(state).text().contains("needs attention"))
    }

    @Test func theCommandLineTakesTheAgentCommands() {
        var state = Fixture.board(size)
        press(&state, .character(":"))
        type(&state, "approve t-7k2m9q4x looks good")
        #expect(press(&state, .enter) == [.approve(taskId: "t-7k2m9q4x", note: "looks good")])
        press(&state, .character(":"))
        type(&state, "run --description \"Add a health endpoint\"")
        #expect(press(&state, .enter) == [.start(ticketId: nil, description: "Add a health endpoint")])
        press(&state, .character(":"))
        type(&state, "run PROJ-9")
        #expect(press(&state, .enter) == [.start(ticketId: "PROJ-9", description: nil)])
        press(&state, .character(":"))
        type(&state, "theme nope")
        press(&state, .enter)
        #expect(state.status?.text == "no theme nope; themes: dark, light, high-contrast, mono")
        press(&state, .character(":"))
        type(&state, "theme light")
        #expect(press(&state, .enter) == [.setTheme("light")])
        press(&state, .character(":"))
        type(&state, "retry t-nothere")
        press(&state, .enter)
        #expect(state.status?.text == "no task with id t-nothere")
        press(&state, .character(":"))
        type(&state, "list failed")
        press(&state, .enter)
        #expect(state.visible == ["t-9r4t2w8e"])
        press(&state, .character(":"))
        type(&state, "freeze")
        #expect(press(&state, .enter) == [.setFrozen(true)])
    }

    @Test func quitAsksOnlyWhileTasksRunHere() {
        var state = Fixture.board(size)
        #expect(press(&state, .character("q")).isEmpty)
        #expect(state.dialog?.kind == .quit && state.dialog?.lines.first == "3 tasks are running in this process.")
        press(&state, .escape)
        state.health.engine = .watching(holder: "pid 7 on jump1")
        #expect(press(&state, .character("q")) == [.quit])
        #expect(state.quitting)
    }

    @Test func helpListsEveryKeyOfTheScreenAndAnyKeyClosesIt() {
        var state = Fixture.task(Size(width: 200, height: 60), tab: .diff)
        press(&state, .character("?"))
        let text = ConsoleView.render(state).text()
        for binding in state.keyMap.bindings(in: state.contexts) {
            #expect(text.contains(binding.summary), "help lacks \(binding.summary)")
        }
        press(&state, .character("x"))
        #expect(!state.showHelp)
    }

    @Test func diffNavigationMovesBetweenFilesAndHunks() {
        var state = Fixture.task(size, tab: .diff)
        press(&state, .character("n"))
        #expect(state.scroll == 2)
        press(&state, .character("}"))
        #expect(state.scroll == 12)
        press(&state, .character("{"))
        #expect(state.scroll == 2)
        press(&state, .character("]"))
        #expect(state.diffFile == 1 && state.scroll == 0)
        press(&state, .character("]"))
        #expect(state.diffFile == 0)
    }

    @Test func resizeKeepsTheSelectionVisible() {
        var state = Fixture.board(Size(width: 80, height: 24))
        press(&state, .character("G"))
        _ = Console.update(&state, .resize(Size(width: 80, height: 8)))
        let index = state.visible.firstIndex(of: state.selection!)!
        #expect(index >= state.boardTop)
        _ = Console.update(&state, .resize(Size(width: 200, height: 60)))
        #expect(state.boardTop == 0)
    }

    @Test func doctorChecksTheIntegrationsAndANewFailureSaysWhy() {
        var state = Fixture.board(size)
        press(&state, .character(":"))
        type(&state, "doctor")
        #expect(press(&state, .enter) == [.checkIntegrations])
        #expect(state.status?.text == "checking integrations…")
        var checked = state.health.integrations
        checked[0].condition = .ok(headroom: "4990/5000")
        checked[4].condition = .ok(headroom: nil)
        _ = Console.update(&state, .integrationsChecked(checked))
        // Sentry was already failing: nothing new to shout about, just the summary.
        #expect(state.status == StatusMessage(text: "integrations: 1 failing, 3 ok", level: .error))
        checked[0].condition = .failed("GitHub answered 401: Bad credentials")
        _ = Console.update(&state, .integrationsChecked(checked))
        #expect(state.status == StatusMessage(text: "GitHub: GitHub answered 401: Bad credentials", level: .error))
        #expect(ConsoleView.render(state).text().contains("GitHub ✗"))
    }

    @Test func anASCIITerminalGetsOnlyASCII() {
        var state = Fixture.board(size, glyphs: .ascii)
        var task = Fixture.waiting
        task.title = "Café — 日本 “q” → ok…"
        _ = Console.update(&state, .tasksChanged([task]))
        let text = ConsoleView.render(state).text()
        #expect(text.allSatisfy { $0.isASCII })
        // A double-width character is `?` and a space: the columns after it stay put.
        #expect(text.contains("Caf? - ? ?  \"q\" > ok~"), "\(text)")
    }
}
