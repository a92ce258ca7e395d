import Foundation
import Logging
import TowerCore
import TowerStore
import Tracing

/// The engine's structured log (`--log-format json`): every line of a task's log as the console
/// shows it (`agent_log`), each step's end with its duration (`step_completed`), the task's end
/// (`workflow_completed`, `workflow_failed`, `workflow_rejected`), approval requests, and what
/// agents report as the original's agents do (`task_completed` with `tasks_completed`). Each
/// carries `task_id`, `ticket_id`, the step, and the trace and span it happened in.
public struct EngineLog: Sendable {
    /// Where the events go.
    public let logger: Logger
    /// Whether the engine writes the task logs' lines here too (`false` where the caller follows
    /// the store and writes them itself, as `tower run` does).
    let lines: Bool

    /// Logs through `logger` (its handler decides the format and where lines go).
    public init(_ logger: Logger, lines: Bool = true) {
        self.logger = logger
        self.lines = lines
    }

    /// A stored line of a task's log.
    public func line(_ event: TaskEvent, task: TowerTask) {
        var metadata = Self.context(task, step: task.step)
        metadata["agent"] = .string(event.agent)
        metadata["message"] = .string(event.message)
        if event.milestone { metadata["milestone"] = .stringConvertible(true) }
        logger.log(level: Self.level(event.level), "agent_log", metadata: metadata)
    }

    /// A named event with numbers, as an agent reports it.
    public func event(_ name: String, task: TowerTask, step: StepKind?, fields: [String: Double]) {
        var metadata = Self.context(task, step: step)
        for (key, value) in fields {
            metadata[key] = value == value.rounded() && abs(value) < 1e15 ? .stringConvertible(Int(value)) : .stringConvertible(value)
        }
        logger.info(Logger.Message(stringLiteral: name), metadata: metadata)
    }

    /// What a committed change of a task says: the step that ended, and where the task went.
    func committed(from before: TaskStatus, to task: TowerTask, finished step: StepKind?, seconds: Double?, now: Date) {
        if let step, let seconds { event("step_completed", task: task, step: step, fields: ["duration_seconds": seconds]) }
        guard before != task.status else { return }
        let total = max(0, now.timeIntervalSince(task.createdAt))
        switch task.status {
        case .completed: event("workflow_completed", task: task, step: nil, fields: ["duration_seconds": total])
        case .failed: event("workflow_failed", task: task, step: task.failedStep, fields: ["duration_seconds": total])
        case .rejected: event("workflow_rejected", task: task, step: nil, fields: ["duration_seconds": total])
        case .awaitingApproval: event("approval_requested", task: task, step: nil, fields: [:])
        default: break
        }
    }

    /// What the hourly sweep removed (`sweep`, with a count per kind), when it removed anything.
    func swept(_ report: SweepReport) {
        guard let summary = report.summary else { return }
        logger.info(
            "sweep",
            metadata: [
                "message": .string(summary), "tasks": .stringConvertible(report.tasks), "fingerprints": .stringConvertible(report.fingerprints),
                "deliveries": .stringConvertible(report.deliveries), "audit_rows": .stringConvertible(report.auditRows),
            ])
    }

    /// `task_id`, `ticket_id`, `step`, and the trace: the current span's when there is one, else
    /// the task's root span.
    static func context(_ task: TowerTask, step: StepKind?) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["task_id": .string(task.id)]
        if let ticket = task.ticketId { metadata["ticket_id"] = .string(ticket) }
        if let step { metadata["step"] = .string(step.rawValue) }
        let current = ServiceContext.current.flatMap { TaskTracing.traceParent(of: $0) }
        if let parent = current ?? task.traceParent {
            let parts = parent.split(separator: "-")
            if parts.count == 4 {
                metadata["trace_id"] = .string(String(parts[1]))
                metadata["span_id"] = .string(String(parts[2]))
            }
        }
        return metadata
    }

    static func level(_ level: LogLevel) -> Logger.Level {
        switch level {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}
