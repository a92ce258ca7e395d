import ArgumentParser
import Foundation
import TowerCore
import TowerEngine
import TowerStore

#if canImport(Glibc)
    import Glibc
#endif

/// `tower agent …`: the original's `/agent` commands, for scripts and people at a shell.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Task status, approvals, rejections and retries (the Slack /agent commands).",
        subcommands: [Status.self, Approve.self, Reject.self, Retry.self, Budget.self, List.self, Deliveries.self, Redeliver.self, Workers.self, Limit.self, Freeze.self, Unfreeze.self, Pause.self, Resume.self, Help.self]
    )

    /// Who is acting: `--as`, else `$TOWER_USER`, else the login name.
    struct ActorOptions: ParsableArguments {
        @Option(name: .customLong("as"), help: "The user name recorded with the decision.")
        var user: String?

        var actor: Actor {
            let env = ProcessInfo.processInfo.environment
            let name = user ?? env["TOWER_USER"] ?? env["USER"] ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "unknown"
            return Actor(user: name, channel: .cli)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Get task status.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Task id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let report = try await OperatorCommands(store: try await global.openStore()).status(id)
                print(Format.report(report, now: Date()))
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve plan.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions
        @Option(name: .long, help: "A note kept with the approval.") var note: String?
        @Argument(help: "Task id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let outcome = try await OperatorCommands(store: try await global.openStore()).approve(id, by: who.actor, note: note)
                try Format.decision(outcome, taskId: id)
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject plan.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions
        @Option(name: .long, help: "Why (shown to the team).") var reason: String?
        @Argument(help: "Task id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let outcome = try await OperatorCommands(store: try await global.openStore()).reject(id, by: who.actor, reason: reason)
                try Format.decision(outcome, taskId: id)
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retry failed task (resumes at the failed step).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions
        @Argument(help: "Task id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let task = try await OperatorCommands(store: try await global.openStore()).retry(id, by: who.actor)
                print("🔁 Task \(task.id) will resume at \(task.step?.rawValue ?? "its next step") (retry by \(who.actor.user) via cli)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tasks, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "At most this many.") var limit: Int = 50
        @Argument(help: "Only tasks in this status: \(TaskStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: String?
        @Flag(name: .long, help: "The tasks waiting for a person, oldest first, with why: a plan, budget, a CI escalation (the console's queue).")
        var waiting = false

        func run() async throws {
            try await reportingErrors {
                if waiting {
                    let queue = try await WaitingQueue.load(from: try await global.openStore())
                    print(queue.isEmpty ? "Nobody is waited for." : Format.waiting(queue, now: Date()))
                    return
                }
                var filter: TaskStatus?
                if let status {
                    guard let parsed = TaskStatus(rawValue: status) else {
                        throw CLIError.failure("unknown status \(status); one of: \(TaskStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    filter = parsed
                }
                let tasks = try await OperatorCommands(store: try await global.openStore()).list(status: filter, limit: limit)
                print(Format.table(tasks, now: Date()))
            }
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The webhook inbox, newest first: source, event, delivery id, outcome.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "At most this many.") var limit: Int = 30

        func run() async throws {
            try await reportingErrors {
                let deliveries = try await global.openStore().deliveries(limit: limit)
                guard !deliveries.isEmpty else {
                    print("No deliveries yet.")
                    return
                }
                print(Format.deliveries(deliveries))
            }
        }
    }

    struct Redeliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Process a stored delivery again (after what made it fail was fixed).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions
        @Argument(help: "The delivery id, as tower agent deliveries shows it.") var id: String

        func run() async throws {
            try await reportingErrors {
                guard try await global.openStore().redeliver(id: id, actor: who.actor, at: Date()) else { throw CLIError.failure("the inbox has no delivery \(id)") }
                print("\(id) is queued again; the engine processes it next")
            }
        }
    }

    /// Sets the freeze switch and says who set it.
    static func setFrozen(_ frozen: Bool, _ global: GlobalOptions, _ who: ActorOptions) async throws {
        _ = try await OperatorCommands(store: try await global.openStore()).setFrozen(frozen, by: who.actor)
        print("\(frozen ? "frozen" : "unfrozen") by \(who.actor.user)")
    }

    /// The console's freeze switch, for a script or a shell: no engine starts a step, pushes or
    /// auto-fixes until `unfreeze`; the inbox waits too. Recorded with who and `cli`.
    struct Freeze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Freeze every engine on this store (no new steps, pushes or auto-fixes).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions

        func run() async throws { try await reportingErrors { try await AgentCommand.setFrozen(true, global, who) } }
    }

    struct Unfreeze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let the engines work again after a freeze.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions

        func run() async throws { try await reportingErrors { try await AgentCommand.setFrozen(false, global, who) } }
    }

    struct Help: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "help", abstract: "Show help.")

        func run() {
            print("Usage: tower agent <command>\n")
            for entry in OperatorCommands.reference {
                print("  \(entry.usage.padding(toLength: 24, withPad: " ", startingAt: 0)) \(entry.summary)")
            }
            print("  \("freeze".padding(toLength: 24, withPad: " ", startingAt: 0)) Stop every engine on this store (here only, not in Slack)")
            print("  \("unfreeze".padding(toLength: 24, withPad: " ", startingAt: 0)) Let them work again")
            print("\nOptions: --as NAME (who decides), --state-dir DIR; exit 3 when someone decided first.")
        }
    }
}
