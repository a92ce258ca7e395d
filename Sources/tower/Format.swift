import Foundation
import TowerCore

import TowerEngine
import TowerStore

/// Plain-text renderings for the command line.
enum Format {
    /// Pushes out what was printed: a log followed through a pipe or into a file (CI, `| tee`)
    /// shows each batch of lines as it happens, not when the buffer fills or Tower exits.
    static func flush() {
        fflush(nil)
    }

    static func table(_ tasks: [TowerTask], now: Date) -> String {
        guard !tasks.isEmpty else { return "No tasks." }
        let header = ["ID", "TICKET", "STATUS", "AGENT", "PROG", "TRIES", "AGE", "TITLE"]
        let rows = tasks.map { t in
            [t.id, t.ticketId ?? "-", t.status.rawValue, t.currentAgent ?? "-", "\(t.progress)%", "\(t.attempts)", Age.short(now.timeIntervalSince(t.createdAt)), t.title]
        }
        let widths = header.indices.dropLast().map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i < widths.count ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0) : c }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// The waiting queue as `tower agent list --waiting` prints it: oldest first, with why.
    static func waiting(_ queue: [WaitingItem], now: Date) -> String {
        let header = ["WAITING", "ID", "TICKET", "WHY", "COST", "TITLE"]
        let rows = queue.map { item in
            [Age.short(now.timeIntervalSince(item.since)), item.task.id, item.task.ticketId ?? "-", item.why, item.estimate ?? "-", item.task.title]
        }
        let widths = header.indices.dropLast().map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i < widths.count ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0) : c }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// A pause as `tower agent pause` lists it: what, since when, by whom and where.
    static func halt(_ halt: Halt, now: Date) -> String {
        "⏸ \(halt.scope == .task ? "task" : "repository") \(halt.name)  \(Age.short(now.timeIntervalSince(halt.at))) ago  by \(halt.by) via \(halt.channel)"
            + (halt.viaRepository.map { "  (stopped with \($0))" } ?? "")
    }

    static func report(_ report: OperatorCommands.TaskReport, now: Date) -> String {
        let t = report.task
        var lines = [
            "Task \(t.id)\(t.ticketId.map { " (\($0))" } ?? ""): \(t.title)",
            "  status     \(t.status.rawValue)\(t.step.map { " — next step: \($0.rawValue)" } ?? "")",
            "  agent      \(t.currentAgent ?? "-")",
            "  progress   \(t.progress)%",
            "  attempts   \(t.attempts)\(t.cycle > 0 ? ", CI cycle \(t.cycle)" : "")"
                + (t.interruptions > 0 ? ", cut short \(t.interruptions) time\(t.interruptions == 1 ? "" : "s") by its engine stopping" : ""),
            "  created    \(iso(t.createdAt)) (\(Age.short(now.timeIntervalSince(t.createdAt))) ago)",
            "  updated    \(iso(t.updatedAt))",
            "  cost       \(report.spend.summary); today, all tasks: \(report.today.summary)",
        ]
        if let worker = t.worker { lines.append("  worker     \(worker) runs attempt \(t.attempts)") }
        if let until = t.waitingUntil, until > now {
            lines.append("  waiting    for \(t.waitingFor ?? "a service") until \(Age.clock(until, now: now)); the step resumes then")
        }
        if t.status == .awaitingBudget {
            lines.append("  waiting    for budget: \(t.waitingFor ?? "its budget is spent"); tower agent budget \(t.id) +N, or stop")
        }
        if let budget = t.budget { lines.append("  budget     \(Dollars.text(budget)) granted") }
        if let error = t.lastError { lines.append("  last error \(error)") }
        if let failed = t.failedStep { lines.append("  failed at  \(failed.rawValue) (retry resumes there)") }
        if let a = report.approval {
            if let decision = a.decision {
                lines.append("  approval   \(decision.rawValue) by \(a.decidedBy ?? "?") via \(a.channel?.rawValue ?? "?") at \(a.decidedAt.map(iso) ?? "?")\(a.reason.map { ": \($0)" } ?? "")")
            } else {
                lines.append("  approval   pending since \(iso(a.requestedAt))")
            }
            if let estimate = a.estimate { lines.append("  estimate   \(estimate.summary)") }
            if let plan = a.plan {
                lines.append("  plan       \(plan.shortHash)\(a.isDecided ? " (the version decided on)" : " (approving approves this version)")")
                if let edit = plan.edit { lines.append("  edited     after planning by commit \(edit.description)") }
            }
        }
        if !report.recentEvents.isEmpty {
            lines.append("  recent log")
            lines += report.recentEvents.map { "    " + logLine($0, time: iso) }
        }
        return lines.joined(separator: "\n")
    }

    /// Prints a won decision; throws ``CLIError/alreadyDecided(_:)`` naming the winner otherwise.
    static func decision(_ outcome: DecisionOutcome, taskId: String) throws {
        switch outcome {
        case .decided(let a):
            let mark = a.decision == .approved ? "✅ Plan approved" : "❌ Plan rejected"
            print("\(mark) for \(taskId) (by \(a.decidedBy ?? "?") via \(a.channel?.rawValue ?? "?"))")
        case .alreadyDecided(let a):
            throw CLIError.alreadyDecided(
                "task \(taskId) was already decided: \(a.decision?.rawValue ?? "?") by \(a.decidedBy ?? "?") via \(a.channel?.rawValue ?? "?") at \(a.decidedAt.map(iso) ?? "?")")
        }
    }

    /// One log line: time, level, agent, message (`tower agent status`, `tower run`).
    /// The inbox as a table: when, source, event, delivery id, outcome (or pending).
    static func deliveries(_ deliveries: [WebhookDelivery]) -> String {
        var lines = ["RECEIVED  SOURCE             EVENT                          DELIVERY                               OUTCOME"]
        for d in deliveries {
            let event = d.event.count > 30 ? String(d.event.prefix(29)) + "…" : d.event
            let id = d.id.count > 38 ? String(d.id.prefix(37)) + "…" : d.id
            lines.append(
                "\(clock(d.receivedAt))  \(d.source.padding(toLength: 17, withPad: " ", startingAt: 0))  \(event.padding(toLength: 30, withPad: " ", startingAt: 0)) "
                    + "\(id.padding(toLength: 38, withPad: " ", startingAt: 0)) \(d.processedAt == nil ? "pending" : d.outcome ?? "processed")")
        }
        return lines.joined(separator: "\n")
    }

    static func logLine(_ event: TaskEvent, time: (Date) -> String) -> String {
        "\(time(event.at)) \(event.level.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)) \(event.agent): \(event.message)"
    }

    /// `HH:mm:ss` in UTC, for following a log as it grows.
    static func clock(_ date: Date) -> String {
        date.formatted(.iso8601.time(includingFractionalSeconds: false).timeSeparator(.colon))
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
    }
}
