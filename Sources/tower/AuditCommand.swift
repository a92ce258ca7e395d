import ArgumentParser
import Foundation
import TowerStore

/// `tower audit`: the audit trail, every decision (who, which channel, when, the note, the plan
/// version approved) and every effect with its idempotency key, exported for a compliance review.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Export the audit trail: decisions and effects, oldest first.",
        discussion: """
            Kept in the store, append-only, for TOWER_AUDIT_RETENTION_DAYS (400 by default).
            --since takes 90m, 12h, 30d, or an ISO 8601 date or time.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Only records since: 90m, 12h, 30d, 2026-12-01 or 2026-12-01T08:00:00Z.")
    var since: String?

    @Option(name: .long, help: "Only the records of this task.")
    var task: String?

    @Option(name: .long, help: "Only the latest N records.")
    var limit: Int?

    @Option(name: .long, help: "jsonl, csv or text.")
    var format: String = "text"

    func run() async throws {
        try await reportingErrors {
            guard let format = AuditExport.Format(rawValue: format) else {
                throw CLIError.failure("--format must be one of \(AuditExport.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var start: Date?
            if let since {
                guard let date = AuditExport.since(since, now: Date()) else { throw CLIError.failure("--since \(since): expected 90m, 12h, 30d or an ISO 8601 date") }
                start = date
            }
            let records = try await global.openStore().auditTrail(since: start, taskId: task, limit: limit)
            FileHandle.standardOutput.write(Data(AuditExport.render(records, as: format).utf8))
        }
    }
}
