import Foundation
import PostgresNIO
import TowerCore

/// Sentry fingerprints (claimed before a bug is filed, confirmed after) and the passes' record.
extension PostgresStore {
    public func claimFingerprint(_ fingerprint: SentryFingerprint, at: Date) async throws -> FingerprintClaim {
        try await write { c in
            // The row's lock (or, for a new fingerprint, the insert's) makes two passes on two
            // hosts agree on who files the bug.
            try await c.run("SELECT pg_advisory_xact_lock(\(Self.fingerprintLockClass), hashtext(\(fingerprint.fingerprint)))", logger: logger)
            if let row = try await c.rows(
                "SELECT * FROM sentry_fingerprints WHERE fingerprint = \(fingerprint.fingerprint) AND expires_at > \(at)", logger: logger
            ).first {
                let record = try PostgresRows.fingerprint(row)
                if let ticket = record.ticketId { return .ticketed(ticket) }
                return .reserved(since: record.reservedAt)
            }
            try await c.run(
                """
                INSERT INTO sentry_fingerprints (fingerprint, ticket_id, title, level, project, reserved_at, ticketed_at, expires_at)
                VALUES (\(fingerprint.fingerprint), NULL, \(fingerprint.title), \(fingerprint.level), \(fingerprint.project), \(at), NULL,
                  \(at.addingTimeInterval(TaskRetention.sentryFingerprint)))
                ON CONFLICT (fingerprint) DO UPDATE SET ticket_id = NULL, title = excluded.title, level = excluded.level, project = excluded.project,
                  reserved_at = excluded.reserved_at, ticketed_at = NULL, expires_at = excluded.expires_at
                """, logger: logger)
            return .claimed
        }
    }

    /// The advisory lock class of fingerprint claims (beside the migration lock's single key).
    static let fingerprintLockClass: Int32 = 0x5346

    public func confirmFingerprint(_ fingerprint: String, ticketId: String, at: Date) async throws {
        _ = try await write { c in
            try await c.run(
                """
                UPDATE sentry_fingerprints SET ticket_id = \(ticketId), ticketed_at = \(at), expires_at = \(at.addingTimeInterval(TaskRetention.sentryFingerprint))
                WHERE fingerprint = \(fingerprint)
                """, logger: logger)
        }
    }

    public func fingerprint(_ fingerprint: String, at: Date) async throws -> SentryFingerprint? {
        try await read { c in
            try await c.rows("SELECT * FROM sentry_fingerprints WHERE fingerprint = \(fingerprint) AND expires_at > \(at)", logger: logger).first
                .map(PostgresRows.fingerprint)
        }
    }

    public func fingerprints(limit: Int) async throws -> [SentryFingerprint] {
        try await read { c in
            try await c.rows("SELECT * FROM sentry_fingerprints ORDER BY reserved_at DESC, fingerprint LIMIT \(limit)", logger: logger).map(PostgresRows.fingerprint)
        }
    }

    public func startSentryPass(_ pass: SentryPass) async throws -> SentryPass {
        try await write { c in
            var started = pass
            started.id = try await c.value(
                "INSERT INTO sentry_passes (trigger, started_at) VALUES (\(pass.trigger.rawValue), \(pass.startedAt)) RETURNING id", as: Int64.self, logger: logger)
            return started
        }
    }

    public func finishSentryPass(_ pass: SentryPass) async throws {
        guard let id = pass.id else { return }
        _ = try await write { c in
            try await c.run(
                """
                UPDATE sentry_passes SET finished_at = \(pass.finishedAt ?? Date()), checked = \(pass.counts.checked),
                  over_threshold = \(pass.counts.overThreshold), deduplicated = \(pass.counts.deduplicated), created = \(pass.counts.created),
                  failed = \(pass.counts.failed), error = \(pass.error)
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    public func sentryPasses(trigger: SentryPass.Trigger?, limit: Int) async throws -> [SentryPass] {
        try await read { c in
            try await c.rows(
                """
                SELECT * FROM sentry_passes WHERE (\(trigger?.rawValue)::text IS NULL OR trigger = \(trigger?.rawValue))
                ORDER BY started_at DESC, id DESC LIMIT \(limit)
                """, logger: logger
            ).map(PostgresRows.sentryPass)
        }
    }
}
