import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func claimFingerprint(_ fingerprint: SentryFingerprint, at: Date) async throws -> FingerprintClaim {
        try await write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT * FROM sentry_fingerprints WHERE fingerprint = ? AND expires_at > ?", arguments: [fingerprint.fingerprint, at])
            {
                let record = Self.fingerprint(row)
                if let ticket = record.ticketId { return .ticketed(ticket) }
                return .reserved(since: record.reservedAt)
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO sentry_fingerprints (fingerprint, ticket_id, title, level, project, reserved_at, ticketed_at, expires_at)
                    VALUES (?, NULL, ?, ?, ?, ?, NULL, ?)
                    """,
                arguments: [
                    fingerprint.fingerprint, fingerprint.title, fingerprint.level, fingerprint.project, at,
                    at.addingTimeInterval(TaskRetention.sentryFingerprint),
                ])
            return .claimed
        }
    }

    public func confirmFingerprint(_ fingerprint: String, ticketId: String, at: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE sentry_fingerprints SET ticket_id = ?, ticketed_at = ?, expires_at = ? WHERE fingerprint = ?",
                arguments: [ticketId, at, at.addingTimeInterval(TaskRetention.sentryFingerprint), fingerprint])
        }
    }

    public func fingerprint(_ fingerprint: String, at: Date) async throws -> SentryFingerprint? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sentry_fingerprints WHERE fingerprint = ? AND expires_at > ?", arguments: [fingerprint, at]).map(Self.fingerprint)
        }
    }

    public func fingerprints(limit: Int) async throws -> [SentryFingerprint] {
        try await read { db in
            try Rows.all(db, sql: "SELECT * FROM sentry_fingerprints ORDER BY reserved_at DESC, fingerprint LIMIT ?", arguments: [limit], Self.fingerprint)
        }
    }

    public func startSentryPass(_ pass: SentryPass) async throws -> SentryPass {
        try await write { db in
            try db.execute(sql: "INSERT INTO sentry_passes (trigger, started_at) VALUES (?, ?)", arguments: [pass.trigger.rawValue, pass.startedAt])
            var started = pass
            started.id = db.lastInsertedRowID
            return started
        }
    }

    public func finishSentryPass(_ pass: SentryPass) async throws {
        guard let id = pass.id else { return }
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE sentry_passes SET finished_at = ?, checked = ?, over_threshold = ?, deduplicated = ?, created = ?, failed = ?, error = ?
                    WHERE id = ?
                    """,
                arguments: [
                    pass.finishedAt ?? Date(), pass.counts.checked, pass.counts.overThreshold, pass.counts.deduplicated, pass.counts.created,
                    pass.counts.failed, pass.error, id,
                ])
        }
    }

    public func sentryPasses(trigger: SentryPass.Trigger?, limit: Int) async throws -> [SentryPass] {
        try await read { db in
            if let trigger {
                return try Rows.all(
                    db, sql: "SELECT * FROM sentry_passes WHERE trigger = ? ORDER BY started_at DESC, id DESC LIMIT ?", arguments: [trigger.rawValue, limit],
                    Self.sentryPass)
            }
            return try Rows.all(db, sql: "SELECT * FROM sentry_passes ORDER BY started_at DESC, id DESC LIMIT ?", arguments: [limit], Self.sentryPass)
        }
    }

    static func fingerprint(_ row: Row) -> SentryFingerprint {
        SentryFingerprint(
            fingerprint: row["fingerprint"], title: row["title"], level: row["level"], project: row["project"], ticketId: row["ticket_id"],
            reservedAt: row["reserved_at"], ticketedAt: row["ticketed_at"], expiresAt: row["expires_at"])
    }

    static func sentryPass(_ row: Row) -> SentryPass {
        SentryPass(
            id: row["id"], trigger: SentryPass.Trigger(rawValue: row["trigger"]) ?? .manual, startedAt: row["started_at"], finishedAt: row["finished_at"],
            counts: SentryPass.Counts(
                checked: row["checked"], overThreshold: row["over_threshold"], deduplicated: row["deduplicated"], created: row["created"], failed: row["failed"]),
            error: row["error"])
    }
}
