import Foundation
import PostgresNIO
import TowerCore

/// Pauses of a task or a repository, and the consoles' presence.
extension PostgresStore {
    public func halts() async throws -> [Halt] {
        try await read { c in
            try await c.rows("SELECT * FROM halts ORDER BY at, scope, name", logger: logger).map(Self.halt)
        }
    }

    @discardableResult
    public func pause(_ halt: Halt, actor: Actor?) async throws -> Halt {
        try await write { c in
            if halt.scope == .task, try await c.rows("SELECT 1 FROM tasks WHERE id = \(halt.name)", logger: logger).isEmpty {
                throw StoreError.unknownTask(halt.name)
            }
            let inserted = try await c.rows(
                """
                INSERT INTO halts (scope, name, paused_by, channel, at, via_repository)
                VALUES (\(halt.scope.rawValue), \(halt.name), \(halt.by), \(halt.channel), \(halt.at), \(halt.viaRepository))
                ON CONFLICT (scope, name) DO NOTHING RETURNING 1
                """, logger: logger)
            guard !inserted.isEmpty else {
                return try await c.rows("SELECT * FROM halts WHERE scope = \(halt.scope.rawValue) AND name = \(halt.name)", logger: logger).first.map(Self.halt) ?? halt
            }
            if let actor {
                try await c.insertCommand(.pause, taskId: halt.scope == .task ? halt.name : "", actor: actor, at: halt.at, logger: logger)
                try await c.insertAudit(.halt("pause", halt.scope, halt.name, by: actor, at: halt.at), logger: logger)
            }
            return halt
        }
    }

    public func resume(_ scope: Halt.Scope, name: String, actor: Actor, at: Date) async throws -> ResumeOutcome {
        let name = scope == .repository ? name.lowercased() : name
        return try await write { c in
            let removed = try await c.rows(
                """
                DELETE FROM halts WHERE (scope = \(scope.rawValue) AND name = \(name)) OR (\(scope.rawValue) = 'repository' AND via_repository = \(name))
                RETURNING *
                """, logger: logger
            ).map(Self.halt).sorted { ($0.at, $0.scope.rawValue, $0.name) < ($1.at, $1.scope.rawValue, $1.name) }
            if !removed.isEmpty {
                try await c.insertCommand(.resume, taskId: scope == .task ? name : "", actor: actor, at: at, logger: logger)
                try await c.insertAudit(.halt("resume", scope, name, by: actor, at: at), logger: logger)
            }
            return ResumeOutcome(removed: removed)
        }
    }

    public func touchPresence(_ presence: ConsolePresence) async throws {
        _ = try await write { c in
            try await c.run(
                """
                INSERT INTO console_presence (console_id, user_name, task_id, seen_at) VALUES (\(presence.consoleId), \(presence.user), \(presence.taskId), \(presence.seenAt))
                ON CONFLICT (console_id) DO UPDATE SET user_name = excluded.user_name, task_id = excluded.task_id, seen_at = excluded.seen_at
                """, logger: logger)
            // Consoles that were killed leave a row; a day on, it goes.
            return try await c.run("DELETE FROM console_presence WHERE seen_at < \(presence.seenAt.addingTimeInterval(-86_400))", logger: logger)
        }
    }

    public func presence(since: Date) async throws -> [ConsolePresence] {
        try await read { c in
            try await c.rows("SELECT * FROM console_presence WHERE seen_at >= \(since) ORDER BY user_name, console_id", logger: logger).map { row in
                ConsolePresence(consoleId: try row.get("console_id"), user: try row.get("user_name"), taskId: try row.get("task_id"), seenAt: try row.get("seen_at"))
            }
        }
    }

    public func dropPresence(consoleId: String) async throws {
        _ = try await write { c in try await c.run("DELETE FROM console_presence WHERE console_id = \(consoleId)", logger: logger) }
    }

    static func halt(_ row: PostgresRandomAccessRow) throws -> Halt {
        Halt(
            scope: Halt.Scope(rawValue: try row.get("scope")) ?? .task, name: try row.get("name"), by: try row.get("paused_by"),
            channel: try row.get("channel"), at: try row.get("at"), viaRepository: try row.get("via_repository"))
    }
}
