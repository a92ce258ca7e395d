import Foundation
import GRDB
import TowerCore

/// Row ⇄ domain value mapping, kept in one place so the SQL and the types cannot drift apart.
enum Rows {
    static let taskColumns = """
        id, ticket_id, title, description, source, status, current_agent, progress, attempts, last_error,
        step, failed_step, cycle, created_at, updated_at, expires_at, repository, waiting_until, waiting_for,
        trace_parent, origin_trace_parent
        """
    /// How many columns ``taskColumns`` names (an INSERT's placeholders).
    static let taskColumnCount = 21
    /// Steps in the workflow's order, for results stored within the same millisecond (one
    /// commit can finish a step and the next).
    static let stepOrder = "CASE step WHEN 'discovery' THEN 0 WHEN 'planning' THEN 1 WHEN 'execution' THEN 2 WHEN 'ci_monitoring' THEN 3 ELSE 4 END"
    /// What a task row is read with: its columns and the budget, which only grants write.
    static let taskReadColumns = taskColumns + ", budget, worker, interruptions"

    /// Every row of a query made into a value as it is stepped, without the array of copied
    /// rows `fetchAll` builds first: a board of 10,000 tasks or a page of log lines is loaded
    /// without holding every row twice.
    static func all<T>(_ db: Database, sql: String, arguments: StatementArguments, _ make: (Row) -> T) throws -> [T] {
        var values: [T] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() { values.append(make(row)) }
        return values
    }

    /// A task from a row selected with ``taskReadColumns``, read by position: the engine reads a
    /// task at every step, and a lookup by name costs more than the rest of the row.
    static func task(_ row: Row) -> TowerTask {
        TowerTask(
            id: row[0], ticketId: row[1], title: row[2], description: row[3],
            source: TaskSource(rawValue: row[4]) ?? .cli,
            status: TaskStatus(rawValue: row[5]) ?? .failed,
            currentAgent: row[6], progress: row[7], attempts: row[8],
            lastError: row[9],
            step: (row[10] as String?).flatMap(StepKind.init(rawValue:)),
            failedStep: (row[11] as String?).flatMap(StepKind.init(rawValue:)),
            cycle: row[12], createdAt: row[13], updatedAt: row[14], expiresAt: row[15],
            repository: row[16], waitingUntil: row[17], waitingFor: row[18], budget: row[21], worker: row[22], interruptions: row[23],
            traceParent: row[19], originTraceParent: row[20])
    }

    static func taskArguments(_ t: TowerTask) -> StatementArguments {
        [
            t.id, t.ticketId, t.title, t.description, t.source.rawValue, t.status.rawValue, t.currentAgent, t.progress,
            t.attempts, t.lastError, t.step?.rawValue, t.failedStep?.rawValue, t.cycle, t.createdAt.stored, t.updatedAt.stored,
            t.expiresAt.stored, t.repository, t.waitingUntil.stored, t.waitingFor, t.traceParent, t.originTraceParent,
        ]
    }

    static func event(_ row: Row) -> TaskEvent {
        TaskEvent(
            sequence: row["seq"], taskId: row["task_id"], at: row["at"],
            level: LogLevel(rawValue: row["level"]) ?? .info, agent: row["agent"], message: row["message"], milestone: row["milestone"])
    }

    static func approval(_ row: Row) -> Approval {
        Approval(
            token: row["token"], taskId: row["task_id"], requestedAt: row["requested_at"],
            decision: (row["decision"] as String?).flatMap(ApprovalDecision.init(rawValue:)),
            decidedBy: row["decided_by"],
            channel: (row["channel"] as String?).flatMap(CommandChannel.init(rawValue:)),
            reason: row["reason"], decidedAt: row["decided_at"],
            plan: (row["plan_version"] as String?).flatMap { try? JSONDecoder().decode(PlanVersion.self, from: Data($0.utf8)) },
            estimate: (row["estimate"] as String?).flatMap { try? JSONDecoder().decode(CostEstimate.self, from: Data($0.utf8)) })
    }

    /// A plan version or an estimate as its column stores it.
    static func json(_ version: (some Encodable)?) throws -> String? {
        guard let version else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(version), as: UTF8.self)
    }

    static func artifact(_ row: Row) -> Artifact {
        Artifact(
            taskId: row["task_id"], kind: ArtifactKind(rawValue: row["kind"]) ?? .diff, name: row["name"],
            version: row["version"], content: row["content"], createdAt: row["created_at"])
    }

    static func phaseResult(_ row: Row) -> PhaseResult {
        PhaseResult(
            taskId: row["task_id"], step: StepKind(rawValue: row["step"]) ?? .discovery, cycle: row["cycle"],
            output: row["output"], completedAt: row["completed_at"])
    }

    static func delivery(_ row: Row) -> WebhookDelivery {
        WebhookDelivery(
            id: row["delivery_id"], source: row["source"], event: row["event"], body: row["body"],
            receivedAt: row["received_at"], processedAt: row["processed_at"], outcome: row["outcome"], bodyDigest: row["body_digest"],
            traceParent: row["trace_parent"])
    }

    static func command(_ row: Row) -> OperatorCommand {
        OperatorCommand(
            sequence: row["seq"], kind: OperatorCommand.Kind(rawValue: row["kind"]) ?? .start, taskId: row["task_id"],
            actor: Actor(user: row["user"], channel: CommandChannel(rawValue: row["channel"]) ?? .api), at: row["at"])
    }
}

extension Database {
    func fetchTask(id: String) throws -> TowerTask? {
        try Row.fetchOne(cachedStatement(sql: "SELECT \(Rows.taskReadColumns) FROM tasks WHERE id = ?"), arguments: [id]).map(Rows.task)
    }

    /// Stores an artifact as the next version of its kind and name for the task.
    func insertArtifact(_ artifact: ArtifactDraft, taskId: String, at: Date) throws {
        let version = try Int.fetchOne(
            self, sql: "SELECT COALESCE(MAX(version), 0) + 1 FROM artifacts WHERE task_id = ? AND kind = ? AND name = ?",
            arguments: [taskId, artifact.kind.rawValue, artifact.name]) ?? 1
        try execute(
            sql: "INSERT INTO artifacts (task_id, kind, name, version, content, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [taskId, artifact.kind.rawValue, artifact.name, version, artifact.content, at.stored])
    }

    func insertEvents(_ events: [TaskEvent]) throws -> [TaskEvent] {
        var stored: [TaskEvent] = []
        stored.reserveCapacity(events.count)
        let statement = try cachedStatement(sql: "INSERT INTO events (task_id, at, level, agent, message, milestone) VALUES (?, ?, ?, ?, ?, ?)")
        for var event in events {
            try statement.execute(arguments: [event.taskId, event.at.stored, event.level.rawValue, event.agent, event.message, event.milestone])
            event.sequence = lastInsertedRowID
            stored.append(event)
        }
        return stored
    }

    func insertCommand(_ kind: OperatorCommand.Kind, taskId: String, actor: Actor, at: Date) throws {
        try cachedStatement(sql: "INSERT INTO commands (kind, task_id, user, channel, at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [kind.rawValue, taskId, actor.user, actor.channel.rawValue, at.stored])
    }
}
