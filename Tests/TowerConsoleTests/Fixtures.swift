import Foundation
import Testing
import TowerConsole
import TowerCore
import TowerStore
import TowerTestSupport

/// The sample tasks as a console state, for render and update tests.
enum Fixture {
    static let health = Health(
        engine: .runningHere,
        integrations: [
            .init(name: "GitHub", condition: .ok(headroom: "4987/5000")), .init(name: "Jira", condition: .notConfigured),
            .init(name: "Slack", condition: .ok(headroom: nil)), .init(name: "Sentry", condition: .failed("Sentry answered 401: Invalid token")),
            .init(name: "Anthropic", condition: .unchecked),
        ])

    static var waiting: TowerTask { SampleData.tasks[0] }

    static func board(_ size: Size, glyphs: Glyphs = .unicode) -> AppState {
        var state = AppState(size: size, now: SampleData.now, user: "dana", glyphs: glyphs, theme: "dark", themes: ["dark", "light", "high-contrast", "mono"])
        _ = Console.update(&state, .tasksLoaded(SampleData.tasks))
        _ = Console.update(&state, .healthChanged(health))
        state.selection = waiting.id
        _ = Console.update(&state, .previewLoaded(taskId: waiting.id, lines: SampleData.events(for: waiting.id)))
        return state
    }

    static var detail: TaskDetail {
        var detail = TaskDetail(taskId: waiting.id)
        detail.approval = Approval(token: "x", taskId: waiting.id, requestedAt: SampleData.now.addingTimeInterval(-180))
        detail.plan = SampleData.planMarkdown
        detail.planVersions = 2
        detail.diffs = SampleData.diffs.map { FileDiff(path: $0.path, text: $0.text) }
        detail.discovery = try! JSONDecoder().decode(DiscoveryResult.self, from: Data(SampleData.discoveryJSON.utf8))
        detail.timeline = SampleData.events(for: waiting.id).filter(\.milestone)
        detail.llmCalls = [
            LLMCallRecord(
                taskId: waiting.id, step: "planning", purpose: "plan", model: "claude-sonnet-4-20250514", system: "You are the Planning agent", prompt: "[]",
                answer: "{\n  \"summary\": \"Add Google OAuth login\",\n  \"tasks\": [\n    {\"number\": 1, \"title\": \"Write tests\"}\n  ]\n}",
                error: "$.tasks[0].repository: required property is missing", inputTokens: 5120, outputTokens: 910, cost: 0.029, durationMs: 14210,
                at: SampleData.now.addingTimeInterval(-200)),
            LLMCallRecord(
                taskId: waiting.id, step: "planning", purpose: "plan (repair)", model: "claude-sonnet-4-20250514", system: "You are the Planning agent", prompt: "[]",
                answer: "{\n  \"summary\": \"Add Google OAuth login\"\n}", inputTokens: 6100, outputTokens: 1040, cost: 0.0339, durationMs: 15870,
                at: SampleData.now.addingTimeInterval(-185)),
        ]
        detail.ciCycles = [CICycle(cycle: 0, outcome: "CI failed: eslint: 2 errors; back to execution", logs: ["acme/web-dashboard CI #812 on 9f3e2a1c: failure [eslint] → auto-fix 1: eslint → 4be0c2d1"]), CICycle(cycle: 1, outcome: "passed", logs: [])]
        return detail
    }

    /// The board with the waiting task opened on `tab`, its log and detail loaded.
    static func task(_ size: Size, tab: TaskTab = .log) -> AppState {
        var state = board(size)
        state.selection = waiting.id
        let effects = Console.update(&state, .key(.enter))
        #expect(effects == [.loadLog(taskId: waiting.id, before: nil, count: 500), .loadDetail(taskId: waiting.id)])
        let lines = SampleData.events(for: waiting.id).enumerated().map { i, e in
            var e = e
            e.sequence = Int64(i + 1)
            return e
        }
        _ = Console.update(&state, .logLoaded(taskId: waiting.id, lines: lines, total: lines.count, older: false))
        _ = Console.update(&state, .detailLoaded(detail))
        state.tab = tab
        return state
    }

    static let outbox: [OutboxMessage] = [
        OutboxMessage(
            id: 2, taskId: "t-7k2m9q4x", service: "slack", target: "#ai-agents", kind: "approval_request", text: "Plan ready for PROJ-123: Add OAuth login",
            status: .sent, at: SampleData.now.addingTimeInterval(-170)),
        OutboxMessage(
            id: 3, taskId: "t-7k2m9q4x", service: "slack", target: "#ai-agents", kind: "notification", text: "Task completed",
            status: .notSent, error: "Slack is not configured (set SLACK_BOT_TOKEN)", at: SampleData.now.addingTimeInterval(-160)),
        OutboxMessage(
            id: 1, taskId: "t-7k2m9q4x", service: "jira", target: "PROJ-123", kind: "comment", text: "Plan summary", status: .failed,
            error: "401 Unauthorized: check JIRA_EMAIL and JIRA_API_TOKEN", at: SampleData.now.addingTimeInterval(-175)),
    ]

    /// Three Sentry passes (one failed) and the fingerprints they filed, one still only claimed.
    static let sentryPasses: [SentryPass] = [
        SentryPass(
            id: 3, trigger: .scheduled, startedAt: SampleData.now.addingTimeInterval(-120), finishedAt: SampleData.now.addingTimeInterval(-117),
            counts: SentryPass.Counts(checked: 42, overThreshold: 3, deduplicated: 1, created: 1, failed: 1)),
        SentryPass(
            id: 2, trigger: .manual, startedAt: SampleData.now.addingTimeInterval(-1800), finishedAt: SampleData.now.addingTimeInterval(-1799),
            error: "Sentry answered 401: Invalid token"),
        SentryPass(
            id: 1, trigger: .scheduled, startedAt: SampleData.now.addingTimeInterval(-3720), finishedAt: SampleData.now.addingTimeInterval(-3715),
            counts: SentryPass.Counts(checked: 40, overThreshold: 2, deduplicated: 0, created: 2, failed: 0)),
    ]

    static let sentryFingerprints: [SentryFingerprint] = [
        SentryFingerprint(
            fingerprint: "6507376925", title: "OperationalError: database is locked", level: "error", project: "billing", ticketId: nil,
            reservedAt: SampleData.now.addingTimeInterval(-118), expiresAt: SampleData.now.addingTimeInterval(90 * 86400)),
        SentryFingerprint(
            fingerprint: "6507376001", title: "KeyError: 'sku'", level: "error", project: "web", ticketId: "PROJ-131",
            reservedAt: SampleData.now.addingTimeInterval(-3718), ticketedAt: SampleData.now.addingTimeInterval(-3717), expiresAt: SampleData.now.addingTimeInterval(89 * 86400)),
        SentryFingerprint(
            fingerprint: "6507375777", title: "Segmentation fault in image worker", level: "fatal", project: "media", ticketId: "PROJ-130",
            reservedAt: SampleData.now.addingTimeInterval(-3719), ticketedAt: SampleData.now.addingTimeInterval(-3718), expiresAt: SampleData.now.addingTimeInterval(89 * 86400)),
    ]

    /// Inbox rows: processed with outcomes, one refused from Slack, one pending.
    static let deliveries: [WebhookDelivery] = [
        WebhookDelivery(
            id: "slack-398738663015.47445629121", source: "slack", event: "command /agent", body: Data(), receivedAt: SampleData.now.addingTimeInterval(-20),
            processedAt: nil),
        WebhookDelivery(
            id: "github-72d3162e-cc78-11e3", source: "github", event: "issue_comment.created", body: Data(), receivedAt: SampleData.now.addingTimeInterval(-300),
            processedAt: SampleData.now.addingTimeInterval(-299), outcome: "✅ Plan approved for `t-7k2m9q4x` by octocat"),
        WebhookDelivery(
            id: "jira-4bd2c1f0-77aa", source: "jira", event: "jira:issue_created", body: Data(), receivedAt: SampleData.now.addingTimeInterval(-5400),
            processedAt: SampleData.now.addingTimeInterval(-5399), outcome: "started t-9x8w7v6u for PROJ-140"),
        WebhookDelivery(
            id: "jira-4bd2c1f0-77ab", source: "jira", event: "jira:issue_updated", body: Data(), receivedAt: SampleData.now.addingTimeInterval(-5500),
            processedAt: SampleData.now.addingTimeInterval(-5499), outcome: "ignored: PROJ-141: the AI label was not added"),
    ]

    static let listener = ListenerReport(
        address: "127.0.0.1:8001", accepted: 4, duplicates: 1, refused: 2,
        refusals: [
            ListenerReport.Refusal(at: SampleData.now.addingTimeInterval(-60), source: "slack", status: 401, reason: "the signed timestamp is 412 s away from now (at most 300 either way)")
        ])
}

/// Compares rendered text with `__Snapshots__/NAME.txt`. A missing snapshot is written and the
/// test fails so that it gets reviewed; `TOWER_RECORD_SNAPSHOTS=1` rewrites them all.
func expectSnapshot(_ canvas: Canvas, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    expectSnapshot(text: canvas.text(), name, sourceLocation: sourceLocation)
}

/// Text compared with `__Snapshots__/NAME.txt` (recorded with `TOWER_RECORD_SNAPSHOTS=1`).
func expectSnapshot(text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let url = directory.appendingPathComponent("\(name).txt")
    let actual = text + "\n"
    let record = ProcessInfo.processInfo.environment["TOWER_RECORD_SNAPSHOTS"] == "1"
    guard !record, let expected = try? String(contentsOf: url, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        if !record { Issue.record("recorded a new snapshot \(name).txt: review it", sourceLocation: sourceLocation) }
        return
    }
    if expected != actual {
        try? actual.write(to: directory.appendingPathComponent("\(name).actual.txt"), atomically: true, encoding: .utf8)
        Issue.record("snapshot \(name) differs; see \(name).actual.txt", sourceLocation: sourceLocation)
    }
}
