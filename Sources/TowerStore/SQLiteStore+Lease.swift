import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func acquireLease(named name: String, _ claim: LeaseClaim, ttl: TimeInterval, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO engine_lease (name, holder, pid, host, acquired_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET
                      acquired_at = CASE WHEN engine_lease.holder = excluded.holder THEN engine_lease.acquired_at ELSE excluded.acquired_at END,
                      holder = excluded.holder, pid = excluded.pid, host = excluded.host, expires_at = excluded.expires_at
                    WHERE engine_lease.holder = excluded.holder OR engine_lease.expires_at <= ?
                    """,
                arguments: [name, claim.holder, claim.pid, claim.host, now, now.addingTimeInterval(ttl), now])
            return db.changesCount == 1
        }
    }

    public func releaseLease(named name: String, holder: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM engine_lease WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }

    public func lease(named name: String) async throws -> EngineLease? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM engine_lease WHERE name = ?", arguments: [name]).map { row in
                EngineLease(holder: row["holder"], pid: row["pid"], host: row["host"], acquiredAt: row["acquired_at"], expiresAt: row["expires_at"])
            }
        }
    }
}
