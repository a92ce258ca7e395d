import Foundation
import Logging
import PostgresNIO
import TowerCore

extension PostgresStore {
    public func recordAudit(_ record: AuditRecord) async throws {
        _ = try await write { c in try await c.insertAudit(record, logger: logger) }
    }

    public func auditTrail(since: Date?, taskId: String?, limit: Int?) async throws -> [AuditRecord] {
        try await read { c in
            let rows = try await c.rows(
                """
                SELECT seq, at, kind, action, task_id, "user", channel, note, plan_version, effect_key, detail FROM audit
                WHERE (\(since)::timestamptz IS NULL OR at >= \(since)) AND (\(taskId)::text IS NULL OR task_id = \(taskId))
                ORDER BY seq DESC LIMIT \(limit.map(Int64.init))
                """, logger: logger)
            return try rows.map { row in
                AuditRecord(
                    sequence: try row[0].decode(Int64.self), at: try row[1].decode(Date.self),
                    kind: AuditRecord.Kind(rawValue: try row[2].decode(String.self)) ?? .decision, action: try row[3].decode(String.self),
                    taskId: try row[4].decode(String?.self), user: try row[5].decode(String.self), channel: try row[6].decode(String.self),
                    note: try row[7].decode(String?.self), planVersion: try row[8].decode(String?.self), key: try row[9].decode(String?.self),
                    detail: try row[10].decode(String?.self))
            }.reversed()
        }
    }
}

extension PostgresConnection {
    /// Appends to the audit trail, in the transaction of what it records.
    func insertAudit(_ record: AuditRecord, logger: Logger) async throws {
        try await run(
            """
            INSERT INTO audit (at, kind, action, task_id, "user", channel, note, plan_version, effect_key, detail)
            VALUES (\(record.at), \(record.kind.rawValue), \(record.action), \(record.taskId), \(record.user), \(record.channel), \(record.note),
              \(record.planVersion), \(record.key), \(record.detail))
            """, logger: logger)
    }
}
