import Foundation
import TowerCore
import TowerStore

/// The shift hand-off: what happened since a time, from the store alone, so that `tower digest`,
/// the console's Digest screen and the Slack post say the same. It covers what completed (with its
/// pull requests), what waits and since when, what failed and why, the CI escalations, the Sentry
/// bugs filed, what the model calls cost, and who decided what.
public struct ShiftDigest: Sendable, Equatable {
    /// A task that ended in the window, with what to say of it (its PRs, or why it failed).
    public struct Outcome: Sendable, Equatable {
        public var task: TowerTask
        public var detail: String

        public init(task: TowerTask, detail: String) {
            self.task = task
            self.detail = detail
        }
    }

    public var since: Date
    public var until: Date
    public var completed: [Outcome] = []
    /// Everything waiting for a person now, oldest first (as the Approvals screen).
    public var waiting: [WaitingItem] = []
    /// Tasks that failed in the window, CI escalations left to their own list.
    public var failed: [Outcome] = []
    public var escalations: [Outcome] = []
    /// Sentry issues that became Jira bugs in the window.
    public var sentryBugs: [SentryFingerprint] = []
    public var cost = Spend()
    /// Decisions (approve, reject, retry, pause, freeze, budget, redeliver), oldest first.
    public var decisions: [AuditRecord] = []
    /// Pauses in force now.
    public var halts: [Halt] = []

    public init(since: Date, until: Date) {
        self.since = since
        self.until = until
    }

    /// Reads the window `since`…`now` from the store.
    public static func load(from store: any Store, since: Date, now: Date) async throws -> ShiftDigest {
        var digest = ShiftDigest(since: since, until: now)
        let changed = try await store.tasks(updatedSince: since).sorted { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }
        for task in changed {
            switch task.status {
            case .completed:
                let pullRequests = try await store.auditTrail(since: nil, taskId: task.id, limit: nil)
                    .filter { $0.action == "forge_pull_request" }.compactMap { $0.detail.flatMap(pullRequestURL) }
                digest.completed.append(Outcome(task: task, detail: pullRequests.isEmpty ? "no pull request recorded" : pullRequests.joined(separator: " ")))
            case .failed where (task.lastError ?? "").hasPrefix(WaitingQueue.escalated):
                digest.escalations.append(Outcome(task: task, detail: String((task.lastError ?? "").dropFirst(WaitingQueue.escalated.count))))
            case .failed:
                digest.failed.append(Outcome(task: task, detail: "at \(task.failedStep?.rawValue ?? "?"): \(task.lastError ?? "no error recorded")"))
            default:
                break
            }
        }
        digest.waiting = try await WaitingQueue.load(from: store)
        digest.sentryBugs = try await store.fingerprints(limit: 1000).filter { ($0.ticketedAt ?? .distantPast) >= since }
            .sorted { ($0.ticketedAt ?? since, $0.fingerprint) < ($1.ticketedAt ?? since, $1.fingerprint) }
        digest.cost = try await store.spend(taskId: nil, since: since)
        digest.decisions = try await store.auditTrail(since: since, taskId: nil, limit: nil).filter { $0.kind == .decision }
        digest.halts = try await store.halts()
        return digest
    }

    /// The URL an audit record of a pull request ends with (`acme/x#12 (draft): https://…`).
    static func pullRequestURL(_ detail: String) -> String? {
        guard let range = detail.range(of: ": ", options: .backwards) else { return nil }
        let url = detail[range.upperBound...]
        return url.hasPrefix("http") || url.hasPrefix("file:") || url.hasPrefix("/") ? String(url) : nil
    }
}
