import ArgumentParser
import Foundation
import TowerEngine
import TowerStore

/// `tower digest`: the shift hand-off, from the store: what completed (with PRs), what waits
/// and since when, what failed and why, escalations, Sentry bugs filed, the shift's model cost,
/// and who decided what. The console's Digest screen (`:digest`) and the Slack post say the same.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest", abstract: "The shift hand-off: completed, waiting, failed, escalated, Sentry bugs, cost and decisions.",
        discussion: "--since takes 90m, 12h, 2d, or an ISO 8601 date or time. TOWER_DIGEST_HOUR posts it to Slack daily.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "How far back: 90m, 12h, 2d, 2026-12-01 or 2026-12-01T08:00:00Z.")
    var since = "12h"

    @Option(name: .long, help: "text, or slack (the mrkdwn the daily post sends).")
    var format = "text"

    func run() async throws {
        try await reportingErrors {
            let now = Date()
            guard let start = AuditExport.since(since, now: now) else { throw CLIError.failure("--since \(since): expected 90m, 12h, 2d or an ISO 8601 date") }
            guard ["text", "slack"].contains(format) else { throw CLIError.failure("--format must be text or slack") }
            let digest = try await ShiftDigest.load(from: try await global.openStore(), since: start, now: now)
            print(format == "slack" ? DigestText.slack(digest, now: now) : DigestText.plain(digest, now: now))
        }
    }
}
