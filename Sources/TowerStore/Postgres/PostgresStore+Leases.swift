import Foundation
import PostgresNIO
import TowerCore

/// The engine lease and the named leases (one Sentry pass at a time): an upsert that only
/// takes a row its holder already has or that has expired, so one of any number of hosts wins.
extension PostgresStore {
    public func acquireLease(named name: String, _ claim: LeaseClaim, ttl: TimeInterval, now: Date) async throws -> Bool {
        try await write { c in
            try await c.run(
                """
                INSERT INTO engine_lease (name, holder, pid, host, acquired_at, expires_at)
                VALUES (\(name), \(claim.holder), \(Int(claim.pid)), \(claim.host), \(now), \(now.addingTimeInterval(ttl)))
                ON CONFLICT (name) DO UPDATE SET
                  acquired_at = CASE WHEN engine_lease.holder = excluded.holder THEN engine_lease.acquired_at ELSE excluded.acquired_at END,
                  holder = excluded.holder, pid = excluded.pid, host = excluded.host, expires_at = excluded.expires_at
                WHERE engine_lease.holder = excluded.holder OR engine_lease.expires_at <= \(now)
                RETURNING 1
                """, logger: logger) == 1
        }
    }

    public func releaseLease(named name: String, holder: String) async throws {
        _ = try await write { c in try await c.run("DELETE FROM engine_lease WHERE name = \(name) AND holder = \(holder)", logger: logger) }
    }

    public func lease(named name: String) async throws -> EngineLease? {
        try await read { c in
            try await c.rows("SELECT * FROM engine_lease WHERE name = \(name)", logger: logger).first.map { row in
                EngineLease(
                    holder: try row.get("holder"), pid: Int32(try row.get("pid", as: Int.self)), host: try row.get("host"),
                    acquiredAt: try row.get("acquired_at"), expiresAt: try row.get("expires_at"))
            }
        }
    }
}
