import Foundation
import GRDB

extension SQLiteStore {
    public func saveCheckpoint(taskId: String, name: String, value: String, at: Date) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO step_checkpoints (task_id, name, value, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(task_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """, arguments: [taskId, name, value, at])
        }
    }

    public func checkpoint(taskId: String, name: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM step_checkpoints WHERE task_id = ? AND name = ?", arguments: [taskId, name]) }
    }
}
