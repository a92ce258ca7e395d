import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func recordAudit(_ record: AuditRecord) async throws {
        try await write { db in try db.insertAudit(record) }
    }

    public func auditTrail(since: Date?, taskId: String?, limit: Int?) async throws -> [AuditRecord] {
        try await read { db in
            let newest = try Rows.all(
                db,
                sql: """
                    SELECT * FROM audit WHERE (? IS NULL OR at >= ?) AND (? IS NULL OR task_id = ?)
                    ORDER BY seq DESC LIMIT ?
                    """,
                arguments: [since?.stored, since?.stored, taskId, taskId, limit ?? -1], Rows.audit)
            return newest.reversed()
        }
    }
}

extension Rows {
    static func audit(_ row: Row) -> AuditRecord {
        AuditRecord(
            sequence: row["seq"], at: row["at"], kind: AuditRecord.Kind(rawValue: row["kind"]) ?? .decision, action: row["action"],
            taskId: row["task_id"], user: row["user"], channel: row["channel"], note: row["note"], planVersion: row["plan_version"],
            key: row["effect_key"], detail: row["detail"])
    }
}

extension Database {
    /// Appends to the audit trail, in the transaction of what it records.
    func insertAudit(_ record: AuditRecord) throws {
        try cachedStatement(
            sql: """
                INSERT INTO audit (at, kind, action, task_id, user, channel, note, plan_version, effect_key, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            record.at.stored, record.kind.rawValue, record.action, record.taskId, record.user, record.channel, record.note, record.planVersion,
            record.key, record.detail,
        ])
    }
}
