import Foundation
import Testing
import TowerCore
import TowerTestSupport
@testable import TowerConsole

/// The mouse as pure updates: the hit tests use the views' own geometry, so a click lands where
/// the frame drew what it names.
@Suite struct MouseTests {
    /// Where `text` is on the rendered screen.
    func find(_ text: String, _ state: AppState) -> (x: Int, y: Int)? {
        for (y, line) in ConsoleView.render(state).text().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let range = line.range(of: text) { return (line[..<range.lowerBound].count, y) }
        }
        return nil
    }

    @Test func aClickOnAGroupTabShowsThatGroupAndOnARowSelectsThenOpensIt() throws {
        var state = Fixture.board(Size(width: 120, height: 32))
        let failed = try #require(find("Failed", state))
        _ = Console.update(&state, .mouse(MouseEvent(.press, x: failed.x + 1, y: failed.y)))
        #expect(state.group == .failed)
        _ = Console.update(&state, .mouse(MouseEvent(.press, x: failed.x + 1, y: failed.y + 40)))  // outside: nothing
        #expect(state.group == .failed && state.screen == .board)
        state.group = .all
        state.relist()
        let second = state.visible[1]
        let row = try #require(find(second, state))
        _ = Console.update(&state, .mouse(MouseEvent(.press, x: 3, y: row.y)))
        #expect(state.selection == second && state.screen == .board)
        let effects = Console.update(&state, .mouse(MouseEvent(.press, x: 3, y: row.y)))
        #expect(state.screen == .task(second) && effects.contains(.loadDetail(taskId: second)))
    }

    @Test func theWheelMovesWhatTheKeysMoveAndADialogButtonIsPressedByAClick() throws {
        var state = Fixture.board(Size(width: 120, height: 32))
        state.selection = state.visible[0]
        let first = state.selection
        _ = Console.update(&state, .mouse(MouseEvent(.wheelDown, x: 10, y: 10)))
        #expect(state.selection == state.visible[Console.wheelStep])
        _ = Console.update(&state, .mouse(MouseEvent(.wheelUp, x: 10, y: 10)))
        #expect(state.selection == first)

        state.selection = state.tasks.values.first { $0.status == .awaitingApproval }?.id
        _ = Console.update(&state, .key(.character("a")))
        let cancel = try #require(find("[ Cancel ]", state))
        #expect(Console.update(&state, .mouse(MouseEvent(.press, x: cancel.x + 2, y: cancel.y))).isEmpty && state.dialog == nil)
        _ = Console.update(&state, .key(.character("a")))
        let approve = try #require(find("[ Approve ]", state))
        // The wheel does nothing to a dialog; a click on its button presses it.
        #expect(Console.update(&state, .mouse(MouseEvent(.wheelDown, x: approve.x, y: approve.y))).isEmpty && state.dialog != nil)
        let effects = Console.update(&state, .mouse(MouseEvent(.press, x: approve.x + 2, y: approve.y)))
        #expect(effects == [.approve(taskId: state.selection!, note: nil)])
    }

    @Test func aClickOnAnApprovalsRowSelectsItAndASecondOpensItOnWhatItWaitsFor() throws {
        var state = Fixture.board(Size(width: 120, height: 32))
        _ = Console.update(&state, .key(.character("A")))
        _ = Console.update(&state, .waitingLoaded(ApprovalsScreenTests.queue))
        let row = try #require(find("OPS-3", state))
        _ = Console.update(&state, .mouse(MouseEvent(.press, x: 4, y: row.y)))
        #expect(state.waitingTop == 2 && state.screen == .approvals)
        #expect(find("Enter opens the edit made to the plan", state) != nil)
        _ = Console.update(&state, .mouse(MouseEvent(.press, x: 4, y: row.y)))
        #expect(state.screen == .task("t-cccc3333") && state.tab == .diff)
    }
}
