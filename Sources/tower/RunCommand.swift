import ArgumentParser
import Foundation
import TowerCore
import TowerEngine
import TowerStore
import TowerTelemetry

/// `tower run`: starts a workflow for a Jira ticket or a description and follows its log until
/// the task waits for approval, completes or fails. An engine runs in this process; while
/// another one (the console, `tower serve`) holds the lease, this one only waits, the task is
/// run by that engine and followed here through the store, and if that engine dies this one
/// takes over when its lease lapses.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Start a workflow for a Jira ticket or a description.",
        discussion: """
            Follows the task's log until it waits for approval, completes or fails.
            Exit status: 0 the task waits for approval (or completed); 4 the task failed;
            5 the plan was rejected; 1 Tower could not start or follow it.
            With --detach, prints the task id and exits 0 at once.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var who: AgentCommand.ActorOptions

    @Option(name: .long, help: "A Jira issue key (PROJ-123): Discovery and Planning read it from Jira.")
    var ticket: String?

    @Option(name: .long, help: "What to do, in words (no Jira needed).")
    var description: String?

    @Option(name: .long, help: "Title of a description task (default: its first line).")
    var title: String?

    @Option(name: .long, help: "Pin the task to one repository, OWNER/NAME.")
    var repo: String?

    @Flag(name: .long, help: "Start the task and exit without following it.")
    var detach = false

    @Option(name: .long, help: "text, or json: one JSON object per log line (default: TOWER_LOG_FORMAT, else text).")
    var logFormat: LogFormat?

    func validate() throws {
        guard (ticket == nil) != (description == nil) else { throw ValidationError("give exactly one of --ticket KEY and --description TEXT") }
        if let ticket, ticket.range(of: #"^[A-Z][A-Z0-9_]+-[0-9]+$"#, options: .regularExpression) == nil {
            throw ValidationError("\(ticket) is not a Jira issue key (PROJ-123)")
        }
        if let description, description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("the description is empty") }
        if let repo, repo.split(separator: "/").count != 2 { throw ValidationError("--repo takes OWNER/NAME") }
    }

    func run() async throws {
        var outcome: Int32 = 0
        try await reportingErrors {
            let config = try global.loadValidConfiguration()
            let store = try await global.openStore()
            let missing = WorkflowAssembly.services(configuration: config, store: store).missingForWorkflow(fromJiraTicket: ticket != nil)
            guard missing.isEmpty else {
                throw CLIError.failure("no task was created; the workflow needs what is not configured:\n" + missing.map { "  - \($0)" }.joined(separator: "\n"))
            }
            let observability = try Observability.start(config, format: logFormat)
            let commands = OperatorCommands(store: store)
            let task: TowerTask
            if let ticket {
                task = try await commands.start(ticketId: ticket, title: ticket, description: "", source: .jira, repository: repo, by: who.actor)
            } else {
                let text = description ?? ""
                let heading = title ?? String(text.split(whereSeparator: \.isNewline).first ?? "").prefix(80).trimmingCharacters(in: .whitespaces)
                task = try await commands.start(ticketId: nil, title: heading, description: text, source: .description, repository: repo, by: who.actor)
            }
            observability.say(
                "task_started", "Task \(task.id) started (\(task.ticketId ?? "from a description")); follow with tower agent status \(task.id)",
                ["task_id": .string(task.id)])
            if detach { return }

            outcome = try await observability.around {
                // An engine of our own, unless a live one runs elsewhere; if that one dies while we
                // follow, ours takes over (its lease lapses; the engine waits for that by itself).
                if let lease = try await store.lease(), lease.isLive(at: Date()) {
                    observability.say("queued", "queued for the engine in pid \(lease.pid) on \(lease.host); following it here")
                }
                // In JSON, the lines come from following the store (whichever engine runs the
                // task); this engine adds its step and workflow events.
                let engine = RunConsole.engine(
                    store: store, workflow: WorkflowAssembly.workflow(configuration: config, store: store, sentryLog: WorkflowAssembly.stderrLog), config,
                    log: observability.engineLog.map { EngineLog($0.logger, lines: false) })
                let running = Task { await engine.run() }
                var last: Int64?
                let final = try await Self.follow(task.id, store: store, after: &last, journal: observability.engineLog) {
                    [.awaitingApproval, .completed, .failed, .rejected].contains($0.status)
                }
                if observability.sink == nil { Self.explain(final) }
                running.cancel()
                await running.value
                return Self.exitStatus(final)
            }
        }
        if outcome != 0 { throw ExitCode(outcome) }
    }

    /// Prints the task's log as it grows (after event `last`) until `done` says the task has
    /// reached a state worth stopping at; returns it then.
    /// With `journal` (`--log-format json`), each line is a JSON object with the task's ids and trace.
    static func follow(
        _ id: String, store: any Store, after last: inout Int64?, journal: EngineLog? = nil, until done: (TowerTask) -> Bool
    ) async throws -> TowerTask {
        var task = try await store.task(id: id)
        func show(_ events: [TaskEvent]) {
            for event in events {
                last = event.sequence
                if let journal, let task { journal.line(event, task: task) } else { print(Format.logLine(event, time: Format.clock)) }
            }
            Format.flush()
        }
        while true {
            show(try await store.events(taskId: id, after: last, limit: 500))
            guard let now = try await store.task(id: id) else { throw StoreError.unknownTask(id) }
            task = now
            if done(now) {
                // The lines written with the change of state.
                show(try await store.events(taskId: id, after: last, limit: 500))
                return now
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
    }

    /// What the operator can do next with a task that stopped moving.
    static func explain(_ task: TowerTask, approve: String? = nil) {
        switch task.status {
        case .awaitingApproval:
            print("\nTask \(task.id) waits for approval: \(approve ?? "tower agent approve \(task.id)") (or reject), in Slack, or in the console.")
            Format.flush()
        case .failed:
            print("\nTask \(task.id) failed at \(task.failedStep?.rawValue ?? "?"): \(task.lastError ?? "")\nRetry with tower agent retry \(task.id).")
        default: break
        }
    }

    static func exitStatus(_ task: TowerTask) -> Int32 {
        switch task.status {
        case .failed: 4
        case .rejected: 5
        default: 0
        }
    }
}
