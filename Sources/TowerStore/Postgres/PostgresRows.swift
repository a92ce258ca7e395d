import Foundation
import PostgresNIO
import TowerCore

/// PostgreSQL row ⇄ domain value mapping, beside ``Rows`` (SQLite's): the same columns, read
/// through postgres-nio's typed cells.
enum PostgresRows {
    /// A task selected with ``Rows/taskReadColumns``, by position.
    static func task(_ row: PostgresRandomAccessRow) throws -> TowerTask {
        TowerTask(
            id: try row[0].decode(String.self), ticketId: try row[1].decode(String?.self), title: try row[2].decode(String.self),
            description: try row[3].decode(String.self),
            source: TaskSource(rawValue: try row[4].decode(String.self)) ?? .cli,
            status: TaskStatus(rawValue: try row[5].decode(String.self)) ?? .failed,
            currentAgent: try row[6].decode(String?.self), progress: try row[7].decode(Int.self), attempts: try row[8].decode(Int.self),
            lastError: try row[9].decode(String?.self),
            step: try row[10].decode(String?.self).flatMap(StepKind.init(rawValue:)),
            failedStep: try row[11].decode(String?.self).flatMap(StepKind.init(rawValue:)),
            cycle: try row[12].decode(Int.self), createdAt: try row[13].decode(Date.self), updatedAt: try row[14].decode(Date.self),
            expiresAt: try row[15].decode(Date.self), repository: try row[16].decode(String?.self), waitingUntil: try row[17].decode(Date?.self),
            waitingFor: try row[18].decode(String?.self), budget: try row[21].decode(Double?.self), worker: try row[22].decode(String?.self),
            interruptions: try row[23].decode(Int.self), traceParent: try row[19].decode(String?.self), originTraceParent: try row[20].decode(String?.self))
    }

    static func event(_ row: PostgresRandomAccessRow) throws -> TaskEvent {
        TaskEvent(
            sequence: try row.get("seq", as: Int64.self), taskId: try row.get("task_id"), at: try row.get("at"),
            level: LogLevel(rawValue: try row.get("level")) ?? .info, agent: try row.get("agent"), message: try row.get("message"),
            milestone: try row.get("milestone"))
    }

    static func approval(_ row: PostgresRandomAccessRow) throws -> Approval {
        Approval(
            token: try row.get("token"), taskId: try row.get("task_id"), requestedAt: try row.get("requested_at"),
            decision: try row.get("decision", as: String?.self).flatMap(ApprovalDecision.init(rawValue:)),
            decidedBy: try row.get("decided_by"),
            channel: try row.get("channel", as: String?.self).flatMap(CommandChannel.init(rawValue:)),
            reason: try row.get("reason"), decidedAt: try row.get("decided_at"),
            plan: try row.get("plan_version", as: String?.self).flatMap { try? JSONDecoder().decode(PlanVersion.self, from: Data($0.utf8)) },
            estimate: try row.get("estimate", as: String?.self).flatMap { try? JSONDecoder().decode(CostEstimate.self, from: Data($0.utf8)) })
    }

    static func artifact(_ row: PostgresRandomAccessRow) throws -> Artifact {
        Artifact(
            taskId: try row.get("task_id"), kind: ArtifactKind(rawValue: try row.get("kind")) ?? .diff, name: try row.get("name"),
            version: try row.get("version"), content: try row.get("content"), createdAt: try row.get("created_at"))
    }

    static func phaseResult(_ row: PostgresRandomAccessRow) throws -> PhaseResult {
        PhaseResult(
            taskId: try row.get("task_id"), step: StepKind(rawValue: try row.get("step")) ?? .discovery, cycle: try row.get("cycle"),
            output: try row.get("output"), completedAt: try row.get("completed_at"))
    }

    static func delivery(_ row: PostgresRandomAccessRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.get("delivery_id"), source: try row.get("source"), event: try row.get("event"), body: try row.get("body"),
            receivedAt: try row.get("received_at"), processedAt: try row.get("processed_at"), outcome: try row.get("outcome"),
            bodyDigest: try row.get("body_digest"), traceParent: try row.get("trace_parent"))
    }

    static func command(_ row: PostgresRandomAccessRow) throws -> OperatorCommand {
        OperatorCommand(
            sequence: try row.get("seq"), kind: OperatorCommand.Kind(rawValue: try row.get("kind")) ?? .start, taskId: try row.get("task_id"),
            actor: Actor(user: try row.get("user"), channel: CommandChannel(rawValue: try row.get("channel")) ?? .api), at: try row.get("at"))
    }

    static func pullRequest(_ row: PostgresRandomAccessRow) throws -> PullRequestRecord {
        PullRequestRecord(
            repository: try row.get("repository"), number: try row.get("number"), head: try row.get("head"), base: try row.get("base"),
            title: try row.get("title"), body: try row.get("body"), draft: try row.get("draft"),
            state: PullRequestRecord.State(rawValue: try row.get("state")) ?? .open, url: try row.get("url"))
    }

    static func ciRun(_ row: PostgresRandomAccessRow) throws -> CIRun {
        CIRun(
            id: try row.get("id"), repository: try row.get("repository"), branch: try row.get("branch"), headSha: try row.get("head_sha"),
            name: try row.get("name"), status: CIRun.Status(rawValue: try row.get("status")) ?? .completed,
            conclusion: try row.get("conclusion", as: String?.self).flatMap(CIRun.Conclusion.init),
            output: try row.get("output"), startedAt: try row.get("started_at"), finishedAt: try row.get("finished_at"))
    }

    static func fingerprint(_ row: PostgresRandomAccessRow) throws -> SentryFingerprint {
        SentryFingerprint(
            fingerprint: try row.get("fingerprint"), title: try row.get("title"), level: try row.get("level"), project: try row.get("project"),
            ticketId: try row.get("ticket_id"), reservedAt: try row.get("reserved_at"), ticketedAt: try row.get("ticketed_at"),
            expiresAt: try row.get("expires_at"))
    }

    static func sentryPass(_ row: PostgresRandomAccessRow) throws -> SentryPass {
        SentryPass(
            id: try row.get("id"), trigger: SentryPass.Trigger(rawValue: try row.get("trigger")) ?? .manual, startedAt: try row.get("started_at"),
            finishedAt: try row.get("finished_at"),
            counts: SentryPass.Counts(
                checked: try row.get("checked"), overThreshold: try row.get("over_threshold"), deduplicated: try row.get("deduplicated"),
                created: try row.get("created"), failed: try row.get("failed")),
            error: try row.get("error"))
    }

    static func outboxMessage(_ row: PostgresRandomAccessRow) throws -> OutboxMessage {
        OutboxMessage(
            id: try row.get("id"), taskId: try row.get("task_id"), service: try row.get("service"), target: try row.get("target"),
            kind: try row.get("kind"), text: try row.get("text"), status: OutboxMessage.Status(rawValue: try row.get("status")) ?? .failed,
            error: try row.get("error"), at: try row.get("at"), key: try row.get("effect_key"))
    }

    static func llmCall(_ row: PostgresRandomAccessRow) throws -> LLMCallRecord {
        LLMCallRecord(
            id: try row.get("id"), taskId: try row.get("task_id"), step: try row.get("step"), purpose: try row.get("purpose"),
            model: try row.get("model"), system: try row.get("system"), prompt: try row.get("prompt"), answer: try row.get("answer"),
            error: try row.get("error"), inputTokens: try row.get("input_tokens"), outputTokens: try row.get("output_tokens"),
            cacheWriteTokens: try row.get("cache_write_tokens"), cacheReadTokens: try row.get("cache_read_tokens"), cost: try row.get("cost"),
            durationMs: try row.get("duration_ms"), at: try row.get("at"), replayed: try row.get("replayed"))
    }

    /// What ``Spend/sums`` is in PostgreSQL's SQL (booleans are not summed there).
    static let spendSums =
        "COALESCE(SUM(cost), 0)::float8 AS d, COUNT(*) AS n, COUNT(*) FILTER (WHERE cost IS NULL) AS u, COUNT(*) FILTER (WHERE replayed) AS r"

    static func spend(_ row: PostgresRandomAccessRow) throws -> Spend {
        Spend(dollars: try row.get("d"), calls: try row.get("n"), unpriced: try row.get("u"), replayed: try row.get("r"))
    }

    /// A task's columns as one INSERT binds them (``Rows/taskColumns``'s order).
    static func taskBinds(_ t: TowerTask) -> PostgresBindings {
        var b = PostgresBindings()
        b.append(t.id); b.append(t.ticketId); b.append(t.title); b.append(t.description); b.append(t.source.rawValue)
        b.append(t.status.rawValue); b.append(t.currentAgent); b.append(t.progress); b.append(t.attempts); b.append(t.lastError)
        b.append(t.step?.rawValue); b.append(t.failedStep?.rawValue); b.append(t.cycle); b.append(t.createdAt); b.append(t.updatedAt)
        b.append(t.expiresAt); b.append(t.repository); b.append(t.waitingUntil); b.append(t.waitingFor)
        b.append(t.traceParent); b.append(t.originTraceParent)
        return b
    }
}
