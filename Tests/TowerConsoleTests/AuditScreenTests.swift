import Foundation
import Testing
@testable import TowerConsole
import TowerCore
import TowerStore
import TowerTestSupport

/// The Audit screen: the latest decisions and effects newest first, filtered by person or task,
/// from the key, the command line and `/`; its render at both sizes.
@Suite struct AuditScreenTests {
    static let records: [AuditRecord] = [
        AuditRecord(
            sequence: 1, at: SampleData.now.addingTimeInterval(-7200), kind: .effect, action: "slack_approval", taskId: "t-7k2m9q4x", user: "tower",
            channel: "slack", key: "t-7k2m9q4x/planning/0", detail: "#agents"),
        AuditRecord(
            sequence: 2, at: SampleData.now.addingTimeInterval(-3600), kind: .decision, action: "approve", taskId: "t-7k2m9q4x", user: "dana",
            channel: "console", note: "ship it", planVersion: "9f8e7d6c5b4a39281706"),
        AuditRecord(
            sequence: 3, at: SampleData.now.addingTimeInterval(-1800), kind: .decision, action: "reject", taskId: "t-9x8w7v6u", user: "sam", channel: "slack",
            note: "wrong repository"),
        AuditRecord(sequence: 4, at: SampleData.now.addingTimeInterval(-600), kind: .decision, action: "retry", taskId: "t-3c4d5e6f", user: "lee", channel: "cli"),
        AuditRecord(
            sequence: 5, at: SampleData.now.addingTimeInterval(-60), kind: .decision, action: "freeze", taskId: nil, user: "dana", channel: "console",
            note: "CI outage"),
    ]

    func opened(_ size: Size = Size(width: 200, height: 60)) -> AppState {
        var state = Fixture.board(size)
        #expect(Console.update(&state, .key(.character("T"))) == [.loadAudit])
        _ = Console.update(&state, .auditLoaded(Self.records))
        return state
    }

    @Test func theKeyOpensItNewestFirst() {
        let state = opened()
        #expect(state.screen == .audit)
        #expect(state.visibleAudit.map(\.sequence) == [5, 4, 3, 2, 1])
    }

    @Test func theFilterKeepsOnePersonsOrOneTasksRecords() {
        var state = opened()
        _ = Console.update(&state, .key(.character("/")))
        for key in "dana" { _ = Console.update(&state, .key(.character(key))) }
        _ = Console.update(&state, .key(.enter))
        #expect(state.visibleAudit.map(\.sequence) == [5, 2])
        #expect(state.filter.isEmpty, "the board's filter is not touched")
        _ = Console.update(&state, .key(.character("/")))
        _ = Console.update(&state, .key(.escape))
        #expect(state.visibleAudit.count == 5)
        // By task, and two words that must both match: a person and an action.
        Console.filterAudit("t-7k2m9q4x", &state)
        #expect(state.visibleAudit.map(\.sequence) == [2, 1])
        Console.filterAudit("dana approve", &state)
        #expect(state.visibleAudit.map(\.sequence) == [2])
    }

    @Test func theCommandLineOpensItFiltered() {
        var state = Fixture.board(Size(width: 120, height: 40))
        _ = Console.update(&state, .key(.character(":")))
        for key in "audit sam" { _ = Console.update(&state, .key(.character(key))) }
        #expect(Console.update(&state, .key(.enter)) == [.loadAudit])
        _ = Console.update(&state, .auditLoaded(Self.records))
        #expect(state.screen == .audit && state.visibleAudit.map(\.user) == ["sam"])
        _ = Console.update(&state, .key(.escape))
        #expect(state.screen == .board)
    }

    @Test func aReloadKeepsTheSelectedRecord() {
        var state = opened()
        _ = Console.update(&state, .key(.character("j")))
        _ = Console.update(&state, .key(.character("j")))
        #expect(state.visibleAudit[state.auditTop].sequence == 3)
        let newer = AuditRecord(sequence: 6, at: SampleData.now, kind: .decision, action: "unfreeze", taskId: nil, user: "lee", channel: "slack")
        _ = Console.update(&state, .auditLoaded(Self.records + [newer]))
        #expect(state.visibleAudit[state.auditTop].sequence == 3)
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 200, height: 60)])
    func render(_ size: Size) {
        var state = opened(size)
        _ = Console.update(&state, .key(.character("j")))
        expectSnapshot(ConsoleView.render(state), "audit-\(size.width)x\(size.height)")
    }
}
