import Foundation
import TowerConfig
import TowerCore
import TowerEngine
import TowerStore

/// When the shift hand-off is posted: `TOWER_DIGEST_HOUR` (UTC; unset, never) and how far back
/// it reaches, `TOWER_DIGEST_SINCE` (12 hours).
public struct DigestSettings: Sendable {
    public var hour: Int?
    public var reach: TimeInterval = 12 * 3600

    public init() {}

    public init(_ configuration: Configuration) {
        hour = configuration["TOWER_DIGEST_HOUR"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.flatMap { (0...23).contains($0) ? $0 : nil }
        reach = configuration["TOWER_DIGEST_SINCE"].flatMap(AuditExport.duration) ?? reach
    }
}

/// The daily hand-off in Slack, as the engine's scheduled job: once a day at the configured
/// hour, through the outbox under the day's key, so a restart, a second worker or a second run
/// finds the day's post instead of posting it again. A post Slack refused is tried again later.
public struct DigestSchedule: ScheduledJob {
    let services: AgentServices
    let store: any Store
    let hour: Int
    let reach: TimeInterval
    let now: @Sendable () -> Date

    public init(services: AgentServices, store: any Store, hour: Int, reach: TimeInterval, now: @escaping @Sendable () -> Date = Date.init) {
        self.services = services
        self.store = store
        self.hour = hour
        self.reach = reach
        self.now = now
    }

    public var name: String { "digest" }
    public var retryDelay: TimeInterval { 300 }

    /// The latest posting time at or before `date`.
    func slot(atOrBefore date: Date) -> Date {
        let today = Calendar.utc.startOfDay(for: date).addingTimeInterval(TimeInterval(hour) * 3600)
        return today <= date ? today : today.addingTimeInterval(-86_400)
    }

    /// The outbox key of the post due at `slot`: one a day.
    static func key(_ slot: Date) -> String { "digest/" + String(ISO8601DateFormatter.string(from: slot, timeZone: .gmt, formatOptions: [.withFullDate])) }

    /// Today's hour; once today's post is made (or kept as not sent: Slack is not configured),
    /// tomorrow's. A day the engine was down at the hour is not posted late the next morning.
    public func due(now: Date) async throws -> Date {
        let slot = Calendar.utc.startOfDay(for: now).addingTimeInterval(TimeInterval(hour) * 3600)
        guard slot <= now else { return slot }
        if let message = try await store.outboxMessage(key: Self.key(slot)), message.status != .failed { return slot.addingTimeInterval(86_400) }
        return slot
    }

    public func run() async throws {
        let at = now()
        let key = Self.key(slot(atOrBefore: at))
        let digest = try await ShiftDigest.load(from: store, since: at.addingTimeInterval(-reach), now: at)
        let notifier = Notifier(
            store: store, taskId: nil, jira: services.jira, jiraProblem: services.jiraProblem, slack: services.slack, slackProblem: services.slackProblem,
            slackChannel: services.slackChannel
        ) { _, _ in }
        let message = try await notifier.slackNotice(DigestText.slack(digest, now: at), kind: "digest", key: key)
        if message.status == .failed { throw DigestPostFailed(reason: message.error ?? "Slack refused it") }
    }
}

/// The hand-off could not be posted; the job tries again after its retry delay.
struct DigestPostFailed: Error, CustomStringConvertible {
    let reason: String
    var description: String { "the shift hand-off was not posted: \(reason)" }
}
