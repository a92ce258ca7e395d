import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerHTTPTestSupport
import TowerStore
import TowerTestSupport

@testable import TowerAgents
@testable import TowerServices

@Suite struct SentryThresholdTests {
    @Test func theOriginalsThresholdsAtTheirEdges() {
        let t = SentryThresholds.original
        #expect(!t.files(level: "error", events: 9) && t.files(level: "error", events: 10))
        #expect(!t.files(level: "fatal", events: 0) && t.files(level: "fatal", events: 1))
        #expect(!t.files(level: "warning", events: 49) && t.files(level: "warning", events: 50))
        #expect(!t.files(level: "info", events: 99) && t.files(level: "info", events: 100))
        #expect(!t.files(level: "debug", events: 1_000_000))
    }

    @Test func aSettingChangesTheLevelsItNamesAndABadOneIsRefused() throws {
        let t = try SentryThresholds.parse("error=25, WARNING=500")
        #expect(t.minimum == ["fatal": 1, "error": 25, "warning": 500, "info": 100])
        #expect(t.description == "fatal 1+, error 25+, warning 500+, info 100+")
        #expect(throws: SentryMonitorError.self) { try SentryThresholds.parse("error=0") }
        #expect(throws: SentryMonitorError.self) { try SentryThresholds.parse("error") }
    }
}

@Suite(.serialized) struct SentryMonitorTests {
    static let t0 = Date(timeIntervalSince1970: 1_796_000_000)

    @Test func overAPassOnlyIssuesAtTheirLevelsThresholdAreFiled() async throws {
        let world = try await SentryWorld([
            (
                "web",
                [
                    .init(id: "1001", title: "E9", level: "error", events: 9), .init(id: "1002", title: "E10", level: "error", events: 10),
                    .init(id: "1003", title: "F0", level: "fatal", events: 0), .init(id: "1004", title: "F1", level: "fatal", events: 1),
                    .init(id: "1005", title: "W49", level: "warning", events: 49),
                ]
            ),
            (
                "api",
                [
                    .init(id: "2001", title: "W50", level: "warning", events: 50), .init(id: "2002", title: "I99", level: "info", events: 99),
                    .init(id: "2003", title: "I100", level: "info", events: 100), .init(id: "2004", title: "D5000", level: "debug", events: 5000),
                ]
            ),
        ])
        let outcome = try await world.monitor(at: Self.t0).pass(trigger: .manual)
        #expect(outcome.pass.counts == SentryPass.Counts(checked: 9, overThreshold: 4, deduplicated: 0, created: 4, failed: 0))
        #expect(outcome.pass.error == nil)
        let summaries = world.chat.createdKeys.compactMap { world.chat.issue($0)?.summary }.sorted()
        #expect(summaries == ["[Sentry] E10", "[Sentry] F1", "[Sentry] I100", "[Sentry] W50"])
        // Both projects were found through the organization's project list, over cursor pages.
        #expect(world.sentry.seen.contains { $0.hasPrefix("GET /sentry/api/0/organizations/acme/projects/") })
        // Each project's issues through the organization's issues endpoint, by the project's id.
        #expect(world.sentry.seen.filter { $0.hasPrefix("GET /sentry/api/0/organizations/acme/issues/?") && $0.contains("project=1&") }.count == 3, "\(world.sentry.seen)")
        // Slack heard of each bug once.
        #expect(world.chat.messages.count == 4)
        let stored = try await world.store.sentryPasses(trigger: nil, limit: 5)
        #expect(stored.count == 1 && stored[0].counts.created == 4 && stored[0].finishedAt != nil)
    }

    @Test func aFingerprintIsFiledOnceAndAgainAfterNinetyDays() async throws {
        let world = try await SentryWorld([("web", [.init(id: "3001", title: "KeyError: 'sku'", level: "error", events: 40)])])
        let first = try await world.monitor(at: Self.t0).pass(trigger: .scheduled)
        #expect(first.pass.counts.created == 1)
        let second = try await world.monitor(at: Self.t0.addingTimeInterval(3600)).pass(trigger: .scheduled)
        #expect(second.pass.counts == SentryPass.Counts(checked: 1, overThreshold: 1, deduplicated: 1, created: 0, failed: 0))
        #expect(world.chat.createdKeys.count == 1)
        let later = try await world.monitor(at: Self.t0.addingTimeInterval(91 * 86400)).pass(trigger: .scheduled)
        #expect(later.pass.counts.created == 1)
        #expect(world.chat.createdKeys.count == 2)
        let record = try #require(try await world.store.fingerprint("3001", at: Self.t0.addingTimeInterval(91 * 86400)))
        #expect(record.ticketId == world.chat.createdKeys.last)
    }

    @Test func theBugFollowsTheOriginalsTemplateFieldForFieldFromSentrysOwnPayloads() async throws {
        let world = try await SentryWorld([("web", [.init(id: "6507376925", title: "Error: Tool list_organizations is already registered", level: "error", events: 25, users: 3)])])
        _ = try await world.monitor(at: Self.t0).pass(trigger: .manual)
        let key = try #require(world.chat.createdKeys.first)
        let bug = try #require(world.chat.issue(key))
        #expect(bug.issueType == "Bug" && bug.project == "PROJ" && bug.labels == ["sentry"])
        #expect(bug.summary == "[Sentry] Error: Tool list_organizations is already registered")
        // The event fixture's exception frames, innermost first, as the ticket shows them.
        let fixtures = SentryStandIn.fixtures
        let event = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: fixtures.appendingPathComponent("api.issue_event.latest.json")))
        var frames: [JSONValue] = []
        if case .array(let entries)? = event["entries"] {
            for entry in entries where entry["type"]?.string == "exception" {
                if case .array(let values)? = entry["data"]?["values"], let last = values.last, case .array(let list)? = last["stacktrace"]?["frames"] { frames = list }
            }
        }
        #expect(!frames.isEmpty)
        let trace: [String] = frames.reversed().map { (frame: JSONValue) -> String in
            let mark = frame["inApp"] == .bool(true) ? "→" : " "
            let line = frame["lineNo"]?.number.map { ":\(Int($0))" } ?? ""
            return "\(mark) at \(frame["function"]?.string ?? "?") (\(frame["filename"]?.string ?? "?")\(line))".trimmingCharacters(in: .whitespaces)
        }
        let expected =
            [
                "Sentry Error Report",
                "Error: Error: Tool list_organizations is already registered",
                "Type: Error",
                "Level: error",
                "Statistics (24h)",
                "Event Count: 25",
                "Affected Users: 3",
                "First Seen: 2025-04-03T22:51:19.403000Z",
                "Last Seen: 2025-04-12T11:34:11Z",
                "Stack Trace",
            ] + trace + [
                "Environment",
                "Platform: javascript",
                "Release: unknown",
                "Environment: development",
                "Sentry Link",
                "https://acme.sentry.io/issues/6507376925/",
                "---",
                "Auto-created by AI Sentry Agent",
                "Fingerprint: 6507376925",
            ]
        let lines = bug.description.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(lines == expected)
    }

    @Test func throttlingIsWaitedOutAndAJiraFailureIsLeftForTheNextPass() async throws {
        let world = try await SentryWorld([
            ("web", [.init(id: "4001", title: "Timeout in checkout", level: "error", events: 12), .init(id: "4002", title: "Null basket", level: "error", events: 30)])
        ])
        world.sentry.throttle(next: 1)
        world.chat.failCreates(containing: "Null basket")
        let first = try await world.monitor(at: Self.t0).pass(trigger: .manual)
        #expect(world.sentry.throttledRequests == 1)
        #expect(first.pass.counts == SentryPass.Counts(checked: 2, overThreshold: 2, deduplicated: 0, created: 1, failed: 1))
        #expect(first.failures.count == 1 && first.failures[0].contains("Jira"))
        #expect(try await world.store.fingerprint("4002", at: Self.t0)?.ticketId == nil)

        let second = try await world.monitor(at: Self.t0.addingTimeInterval(3600)).pass(trigger: .manual)
        #expect(second.pass.counts == SentryPass.Counts(checked: 2, overThreshold: 2, deduplicated: 1, created: 1, failed: 0))
        #expect(world.chat.createdKeys.compactMap { world.chat.issue($0)?.summary }.sorted() == ["[Sentry] Null basket", "[Sentry] Timeout in checkout"])
        // The unconfirmed claim was checked against Jira before filing again.
        #expect(world.chat.searchQueries.contains { $0.contains(#"text ~ "\"Fingerprint: 4002\"""#) })
    }

    @Test func aClaimLeftWithoutATicketIsSettledFromJiraInsteadOfFilingATwin() async throws {
        let world = try await SentryWorld([("web", [.init(id: "5001", title: "Disk full", level: "fatal", events: 3)])])
        _ = try await world.store.claimFingerprint(SentryFingerprint(fingerprint: "5001", title: "Disk full", level: "fatal", project: "web"), at: Self.t0)
        world.chat.addIssue("PROJ-77", summary: "[Sentry] Disk full", description: "## Sentry Error Report\n\n*Fingerprint: 50011*")
        world.chat.addIssue("PROJ-78", summary: "[Sentry] Disk full", description: "## Sentry Error Report\n\n*Auto-created by AI Sentry Agent*\n\n*Fingerprint: 5001*")
        let outcome = try await world.monitor(at: Self.t0.addingTimeInterval(60)).pass(trigger: .manual)
        #expect(outcome.pass.counts.deduplicated == 1 && outcome.pass.counts.created == 0)
        #expect(world.chat.createRequests == 0)
        #expect(try await world.store.fingerprint("5001", at: Self.t0.addingTimeInterval(60))?.ticketId == "PROJ-78")
    }

    @Test func aDryRunFilesClaimsAndRecordsNothing() async throws {
        let world = try await SentryWorld([("web", [.init(id: "6001", title: "Boom", level: "error", events: 11), .init(id: "6002", title: "Quiet", level: "error", events: 2)])])
        let outcome = try await world.monitor(at: Self.t0).pass(trigger: .manual, dryRun: true)
        #expect(outcome.wouldFile.map(\.id) == ["6001"])
        #expect(world.chat.createRequests == 0 && world.chat.messages.isEmpty)
        #expect(try await world.store.fingerprints(limit: 10).isEmpty)
        #expect(try await world.store.sentryPasses(trigger: nil, limit: 10).isEmpty)
    }

    @Test func oneIssueFromAnAlertGoesThroughTheSameDedup() async throws {
        let world = try await SentryWorld([("web", [.init(id: "7001", title: "Segfault in worker", level: "fatal", events: 0)])])
        let first = try await world.monitor(at: Self.t0).handle(issueId: "7001")
        #expect(first.pass.trigger == .alert && first.pass.counts.created == 1)
        let again = try await world.monitor(at: Self.t0.addingTimeInterval(5)).handle(issueId: "7001")
        #expect(again.pass.counts.deduplicated == 1 && world.chat.createdKeys.count == 1)
    }

    @Test func onlyOnePassRunsAtATime() async throws {
        let world = try await SentryWorld([("web", [])])
        let other = LeaseClaim(holder: "other-pass", pid: getpid(), host: ProcessInfo.processInfo.hostName)
        #expect(try await world.store.acquireLease(named: "sentry", other, ttl: 60, now: Date()))
        await #expect(throws: SentryMonitorError.self) { _ = try await world.monitor().pass(trigger: .manual) }
    }

    @Test func theScheduleIsKeptInTheStore() async throws {
        let world = try await SentryWorld([("web", [])])
        let schedule = SentrySchedule(monitor: try world.monitor(), interval: 3600)
        #expect(try await schedule.due(now: Self.t0) == Self.t0)
        var pass = try await world.store.startSentryPass(SentryPass(trigger: .scheduled, startedAt: Self.t0))
        // Started and never finished (killed): due again at once, not an hour later.
        #expect(try await schedule.due(now: Self.t0.addingTimeInterval(30)) == Self.t0.addingTimeInterval(30))
        pass.finishedAt = Self.t0.addingTimeInterval(20)
        try await world.store.finishSentryPass(pass)
        #expect(try await schedule.due(now: Self.t0.addingTimeInterval(30)) == Self.t0.addingTimeInterval(3600))
        // A manual pass does not move the schedule.
        _ = try await world.store.startSentryPass(SentryPass(trigger: .manual, startedAt: Self.t0.addingTimeInterval(100)))
        #expect(try await schedule.due(now: Self.t0.addingTimeInterval(200)) == Self.t0.addingTimeInterval(3600))
    }
}
