import Foundation
import GRDB
import TowerCore

/// Pauses of a task or a repository, and the consoles' presence.
extension SQLiteStore {
    public func halts() async throws -> [Halt] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM halts ORDER BY at, scope, name")).map(Self.halt)
        }
    }

    @discardableResult
    public func pause(_ halt: Halt, actor: Actor?) async throws -> Halt {
        try await write { db in
            if let existing = try Row.fetchOne(
                db, sql: "SELECT * FROM halts WHERE scope = ? AND name = ?", arguments: [halt.scope.rawValue, halt.name]
            ).map(Self.halt) {
                return existing
            }
            if halt.scope == .task, try Int.fetchOne(db, sql: "SELECT 1 FROM tasks WHERE id = ?", arguments: [halt.name]) == nil {
                throw StoreError.unknownTask(halt.name)
            }
            try db.execute(
                sql: "INSERT INTO halts (scope, name, paused_by, channel, at, via_repository) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [halt.scope.rawValue, halt.name, halt.by, halt.channel, halt.at.stored, halt.viaRepository])
            if let actor {
                try db.insertCommand(.pause, taskId: halt.scope == .task ? halt.name : "", actor: actor, at: halt.at)
                try db.insertAudit(.halt("pause", halt.scope, halt.name, by: actor, at: halt.at))
            }
            return halt
        }
    }

    public func resume(_ scope: Halt.Scope, name: String, actor: Actor, at: Date) async throws -> ResumeOutcome {
        let name = scope == .repository ? name.lowercased() : name
        return try await write { db in
            let removed = try Row.fetchAll(
                db, sql: "SELECT * FROM halts WHERE (scope = ? AND name = ?) OR (? = 'repository' AND via_repository = ?) ORDER BY at, scope, name",
                arguments: [scope.rawValue, name, scope.rawValue, name]
            ).map(Self.halt)
            try db.execute(
                sql: "DELETE FROM halts WHERE (scope = ? AND name = ?) OR (? = 'repository' AND via_repository = ?)",
                arguments: [scope.rawValue, name, scope.rawValue, name])
            if !removed.isEmpty {
                try db.insertCommand(.resume, taskId: scope == .task ? name : "", actor: actor, at: at)
                try db.insertAudit(.halt("resume", scope, name, by: actor, at: at))
            }
            return ResumeOutcome(removed: removed)
        }
    }

    public func touchPresence(_ presence: ConsolePresence) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO console_presence (console_id, user_name, task_id, seen_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(console_id) DO UPDATE SET user_name = excluded.user_name, task_id = excluded.task_id, seen_at = excluded.seen_at
                    """, arguments: [presence.consoleId, presence.user, presence.taskId, presence.seenAt.stored])
            // Consoles that were killed leave a row; a day on, it goes.
            try db.execute(sql: "DELETE FROM console_presence WHERE seen_at < ?", arguments: [presence.seenAt.addingTimeInterval(-86_400).stored])
        }
    }

    public func presence(since: Date) async throws -> [ConsolePresence] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM console_presence WHERE seen_at >= ? ORDER BY user_name, console_id", arguments: [since.stored]).map { row in
                ConsolePresence(consoleId: row["console_id"], user: row["user_name"], taskId: row["task_id"], seenAt: row["seen_at"])
            }
        }
    }

    public func dropPresence(consoleId: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM console_presence WHERE console_id = ?", arguments: [consoleId]) }
    }

    static func halt(_ row: Row) -> Halt {
        Halt(
            scope: Halt.Scope(rawValue: row["scope"]) ?? .task, name: row["name"], by: row["paused_by"], channel: row["channel"], at: row["at"],
            viaRepository: row["via_repository"])
    }
}
