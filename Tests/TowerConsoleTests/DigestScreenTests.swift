import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport
@testable import TowerConsole

/// The shift hand-off: one digest, three renderings from the same lines (the console's Digest
/// screen, `tower digest`, the Slack post), each kept as a snapshot.
@Suite struct DigestScreenTests {
    static var digest: ShiftDigest {
        let now = SampleData.now
        var digest = ShiftDigest(since: now.addingTimeInterval(-12 * 3600), until: now)
        func task(_ id: String, _ ticket: String?, _ title: String, _ status: TaskStatus) -> TowerTask {
            var task = TowerTask(id: id, ticketId: ticket, title: title, source: .jira, status: status, createdAt: now.addingTimeInterval(-9000), expiresAt: now)
            task.updatedAt = now.addingTimeInterval(-3600)
            return task
        }
        digest.completed = [
            .init(task: task("t-done0001", "OPS-7", "Reduced VAT for books", .completed), detail: "https://github.com/acme/billing-service/pull/42")
        ]
        digest.waiting = ApprovalsScreenTests.queue
        digest.failed = [.init(task: task("t-fail0002", "OPS-8", "Rotate the <signing> keys", .failed), detail: "at execution: plan-task 2 still fails after 3 attempts")]
        digest.escalations = [.init(task: task("t-esc00003", nil, "Fix flaky login", .failed), detail: "acme/api: test_failure")]
        digest.sentryBugs = [
            SentryFingerprint(
                fingerprint: "f1", title: "ZeroDivisionError: division by zero", level: "error", project: "billing", ticketId: "OPS-99",
                reservedAt: now.addingTimeInterval(-7000), ticketedAt: now.addingTimeInterval(-6990))
        ]
        digest.cost = Spend(dollars: 1.2345, calls: 31)
        digest.decisions = [
            .decision("approve", taskId: "t-done0001", by: Actor(user: "dana", channel: .console), at: now.addingTimeInterval(-20_000), note: "ship it"),
            .decision("reject", taskId: "t-rej00004", by: Actor(user: "sam", channel: .slackCommand), at: now.addingTimeInterval(-10_000), note: "wrong repository"),
            .decision("pause", taskId: nil, by: Actor(user: "lee", channel: .cli), at: now.addingTimeInterval(-600), detail: "repository acme/ledger"),
        ]
        digest.halts = [Halt(scope: .repository, name: "acme/ledger", by: "lee", channel: "cli", at: now.addingTimeInterval(-600))]
        return digest
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 200, height: 60)])
    func screen(_ size: Size) {
        var state = Fixture.board(size)
        var line = TextField()
        line.text = "digest 12h"
        state.prompt = .command(line)
        #expect(Console.update(&state, .key(.enter)) == [.loadDigest(reach: 12 * 3600)])
        #expect(state.screen == .digest)
        _ = Console.update(&state, .digestLoaded(Self.digest))
        expectSnapshot(ConsoleView.render(state), "digest-\(size.width)x\(size.height)")
    }

    @Test func theCommandLineAndSlackSayTheSame() {
        expectSnapshot(text: DigestText.plain(Self.digest, now: SampleData.now), "digest-cli")
        expectSnapshot(text: DigestText.slack(Self.digest, now: SampleData.now), "digest-slack")
        // Every entry of the hand-off is in both, Slack's with its control characters escaped.
        let entries = DigestText.lines(Self.digest, now: SampleData.now).filter { $0.kind == .entry }.map(\.text)
        #expect(entries.count == 12)
        for entry in entries {
            #expect(DigestText.plain(Self.digest, now: SampleData.now).contains(entry))
            #expect(DigestText.slack(Self.digest, now: SampleData.now).contains(entry.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")))
        }
    }

    @Test func aBadReachIsRefusedAndTheScreenScrolls() {
        var state = Fixture.board(Size(width: 80, height: 24))
        var line = TextField()
        line.text = "digest soon"
        state.prompt = .command(line)
        #expect(Console.update(&state, .key(.enter)).isEmpty && state.status?.text == "usage: digest [12h|90m|2d]")
        line.text = "digest"
        state.prompt = .command(line)
        _ = Console.update(&state, .key(.enter))
        _ = Console.update(&state, .digestLoaded(Self.digest))
        _ = Console.update(&state, .key(.character("G")))
        #expect(state.digestTop > 0)
        #expect(Clipboard.wholeView(state)?.what == "shift hand-off")
    }
}
