import Foundation
import TowerEngine
import TowerStore

/// The Sentry monitor as the engine's scheduled job: a pass every `TOWER_SENTRY_INTERVAL`
/// (hourly), timed from the last scheduled pass in the store. A pass that never finished (its
/// process was killed) is run again at once; one that finished is followed by the next an
/// interval after it started. So a restart neither skips a pass nor doubles one.
public struct SentrySchedule: ScheduledJob {
    /// Each hourly pass is a trace: Sentry's pages, the Jira issues filed, the Slack notices.
    public var traced: Bool { true }

    public let monitor: SentryMonitor
    public let interval: TimeInterval

    public init(monitor: SentryMonitor, interval: TimeInterval) {
        self.monitor = monitor
        self.interval = interval
    }

    public var name: String { "sentry" }

    public func due(now: Date) async throws -> Date {
        guard let last = try await monitor.store.sentryPasses(trigger: .scheduled, limit: 1).first else { return now }
        guard last.finishedAt != nil else { return now }
        return last.startedAt.addingTimeInterval(interval)
    }

    public func run() async throws {
        _ = try await monitor.pass(trigger: .scheduled)
    }
}
