import ArgumentParser
import Foundation
import TowerAgents
import TowerConfig
import TowerConsole
import TowerCore
import TowerDemo
import TowerEngine
import TowerStore

/// `tower demo`: the whole story on a self-contained sandbox under the state directory: three
/// local repositories, the ticket DEMO-1, and the model's recorded answers. Everything else is
/// real: git, the tests in the sandbox, black in CI, the outbox. The console opens on it; with
/// `--no-console` the same story runs headless for scripts and CI.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "The whole workflow on a built-in sandbox organization, in the console.",
        discussion: """
            Builds $STATE/demo (safe to run twice; --reset starts over): a local forge holding
            demo/inventory-service, demo/inventory-client and demo/storefront, the ticket DEMO-1
            and recorded model answers. DEMO-1 goes through Discovery and Planning, waits for your
            approval (press a on it in the console), then Execution writes and tests the code and
            CI auto-fixes a black failure. No credentials or network are used; the Slack and Jira
            messages stay in the outbox (o).
            With --no-console: prints the task's log and exits 0 when the task completes,
            4 if it fails, 5 if the plan is rejected.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var who: AgentCommand.ActorOptions

    @Flag(name: .long, help: "Run the story headless, printing its log.")
    var noConsole = false

    @Flag(name: .long, help: "Approve the plan as soon as it waits (otherwise: the console's a, or tower agent approve).")
    var autoApprove = false

    @Flag(name: .long, help: "Remove the demo's sandbox first and start over.")
    var reset = false

    @Option(name: .long, help: "Colour theme (dark, light, high-contrast, mono).")
    var theme: String = "dark"

    @Flag(name: .long, help: "Do not ring the terminal bell when a task needs attention.")
    var noBell = false

    @Flag(name: .long, help: "Leave the mouse to the terminal (its own selection); otherwise a click selects and the wheel scrolls.")
    var noMouse = false

    func run() async throws {
        var outcome: Int32 = 0
        try await reportingErrors {
            let environment = ProcessInfo.processInfo.environment
            let operatorConfig = try global.loadValidConfiguration()
            let base = StateDirectory.resolve(explicit: global.stateDir, configuration: operatorConfig, environment: environment)
            // Traces go where the operator's OTEL_* settings say, the demo's own settings aside.
            let observability = try Observability.start(operatorConfig, format: .text, screen: !noConsole)
            let site = DemoSite.under(stateDirectory: base.url)
            if reset {
                do {
                    try site.reset()
                } catch {
                    throw CLIError.failure("cannot remove \(site.root.path): \(error.localizedDescription)")
                }
            }
            let store: SQLiteStore
            do {
                store = try SQLiteStore(directory: site.stateDirectory)
            } catch {
                throw CLIError.failure(String(describing: error))
            }
            let config = site.configuration()
            var services = site.services(store: store)
            if !noConsole, let llm = services.llm { services.llm = PacedProvider(llm) }
            let engine = RunConsole.engine(store: store, workflow: Workflow.agents(services), config)
            let actor = who.actor
            if noConsole {
                outcome = try await observability.around { try await headless(site: site, store: store, engine: engine, actor: actor) }
            } else {
                // What the demo really talks to: the local forge and the recordings; no Jira or Slack.
                let integrations = [
                    Health.Integration(name: "Forge", condition: .ok(headroom: "local")), Health.Integration(name: "Model", condition: .ok(headroom: "recorded")),
                    Health.Integration(name: "Jira", condition: .notConfigured), Health.Integration(name: "Slack", condition: .notConfigured),
                ]
                let autoApprove = autoApprove
                var options = ConsoleRuntime.Options(user: actor.user, themeName: theme, bell: !noBell, guide: Self.guide)
                options.mouse = !noMouse
                try await observability.around {
                    try await RunConsole.present(
                        store: store, engine: engine, options: options,
                        integrations: integrations, checks: nil,
                        prepare: {
                            let loaded = try await site.prepare(store: store)
                            let (task, isNew) = try await site.task(store: store, by: Actor(user: actor.user, channel: .console))
                            if autoApprove { Self.approveWhenAsked(task.id, store: store, actor: actor) }
                            return "demo: \(loaded); \(task.ticketId ?? task.id) \(isNew ? "started" : "is \(task.status.rawValue)"): press a when it waits for approval, ? for help"
                        })
                }
            }
        }
        if outcome != 0 { throw ExitCode(outcome) }
    }

    /// The demo's walk-through, at the top of the console's help.
    static let guide = [
        "The demo: DEMO-1 (discount codes) goes through Discovery and Planning over three local repositories, then waits for you.",
        "Enter opens it; 1 log, 2 PLAN.md, 3 diffs, 4 discovery, 5 CI, 6 timeline, 7 LLM calls; Esc goes back. o shows the outbox.",
        "When it waits for approval (the bell rings): a approves. Execution then writes and tests the code (the first attempt at task 1 fails), and CI auto-fixes a black failure.",
    ]

    /// The story without a terminal: prints the log, approves if asked to, exits with the outcome.
    func headless(site: DemoSite, store: SQLiteStore, engine: Engine, actor: Actor) async throws -> Int32 {
        do {
            print("demo: \(try await site.prepare(store: store))")
        } catch {
            throw CLIError.failure("cannot set up the demo in \(site.root.path): \(error)")
        }
        let (task, isNew) = try await site.task(store: store, by: actor)
        print("demo: \(task.ticketId ?? task.id) \(isNew ? "started" : "continues") as task \(task.id) (store \(site.stateDirectory.path))")
        let running = Task { await engine.run() }
        defer { running.cancel() }
        var last: Int64?
        var final = try await RunCommand.follow(task.id, store: store, after: &last) { [.awaitingApproval, .completed, .failed, .rejected].contains($0.status) }
        if final.status == .awaitingApproval {
            if autoApprove {
                let outcome = try await OperatorCommands(store: store).approve(task.id, by: actor, note: "tower demo --auto-approve")
                try Format.decision(outcome, taskId: task.id)
            } else {
                RunCommand.explain(final, approve: "tower agent approve \(task.id) --state-dir \(site.stateDirectory.path)")
            }
            await engine.wake()
            final = try await RunCommand.follow(task.id, store: store, after: &last) { [.completed, .failed, .rejected].contains($0.status) }
        }
        running.cancel()
        await running.value
        RunCommand.explain(final)
        if final.status == .completed { print("\ndemo: \(task.ticketId ?? task.id) completed. Open it in the console: tower demo") }
        return RunCommand.exitStatus(final)
    }

    /// In the console with `--auto-approve`: approves the plan once it waits, as the operator.
    static func approveWhenAsked(_ id: String, store: any Store, actor: Actor) {
        Task {
            while !Task.isCancelled {
                if let task = try? await store.task(id: id) {
                    if task.status == .awaitingApproval {
                        _ = try? await OperatorCommands(store: store).approve(id, by: Actor(user: actor.user, channel: .console), note: "tower demo --auto-approve")
                        return
                    }
                    if task.status.isTerminal { return }
                }
                try? await Task.sleep(nanoseconds: 250_000_000)
            }
        }
    }
}
