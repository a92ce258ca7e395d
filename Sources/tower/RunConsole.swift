import ArgumentParser
import TowerAgents
import Foundation
import TowerConfig
import TowerConsole
import TowerCore
import TowerEngine
import TowerGateway
import TowerNet
import TowerStore
import TowerTerminal
import TowerWebhooks

/// `tower` (no arguments) or `tower console`: the full-screen console, with the engine embedded
/// unless another process runs it (then this one watches, and takes over if that one dies).
struct RunConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "The full-screen console (the default command).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var who: AgentCommand.ActorOptions

    @Option(name: .long, help: "Colour theme: a name from themes/ (dark, light, high-contrast, mono).")
    var theme: String = "dark"

    @Flag(name: .long, help: "Only watch: run no engine in this process.")
    var noEngine = false

    @Flag(name: .long, help: "Do not ring the terminal bell when a task needs attention.")
    var noBell = false

    @Flag(name: .long, help: "Leave the mouse to the terminal (its own selection); otherwise a click selects and the wheel scrolls.")
    var noMouse = false

    @Flag(name: .long, help: "Do not check the integrations (no calls to GitHub, Jira, Slack, Sentry, Anthropic from the health line).")
    var noChecks = false

    func run() async throws {
        try await reportingErrors {
            let config = try global.loadValidConfiguration()
            let store = try await global.openStore()
            let observability = try Observability.start(config, format: nil, screen: true)
            try await observability.around {
                let box = EngineBox()
                let engine: Engine? =
                    noEngine ? nil : Self.engine(store: store, workflow: WorkflowAssembly.workflow(
                        configuration: config, store: store,
                        ciNews: { repository, branch in await box.engine?.announceCINews(repository: repository, branch: branch) },
                        wake: { await box.engine?.wake() }), config)
                if let engine { await box.set(engine) }
                let (integrations, checks) = Self.integrationChecks(config, enabled: !noChecks)
                let report = try Self.startListener(config, store: store, engine: engine)
                var options = ConsoleRuntime.Options(user: who.actor.user, themeName: theme, bell: !noBell)
                options.taskBudget = BudgetSettings(config).task
                options.mouse = !noMouse
                try await Self.present(
                    store: store, engine: engine, options: options,
                    integrations: integrations, checks: checks, listenerReport: report)
            }
        }
    }

    /// The webhook listener, in the background, when a webhook secret is set (a route without one
    /// refuses everything, so with none there is nothing to listen for). Its state for the health
    /// line and the Deliveries screen; a port that is taken (`tower serve` runs) is shown there.
    static func startListener(_ config: Configuration, store: any Store, engine: Engine?) throws -> (@Sendable () -> ListenerReport)? {
        let secrets = WorkflowAssembly.webhookSecrets(config)
        guard secrets.values.contains(where: { !$0.isEmpty }) else { return nil }
        guard let address = Listener.address(config["TOWER_LISTEN"]) else { throw CLIError.failure("TOWER_LISTEN is not HOST:PORT") }
        let counters = ListenerCounters()
        let listener = Listener(
            host: address.host, port: address.port, store: store, secrets: secrets, counters: counters, received: { await engine?.wake() },
            metrics: WorkflowAssembly.metrics(store: store), limits: WorkflowAssembly.listenerLimits(config))
        Task {
            do {
                try await listener.run(signals: false)
            } catch {
                counters.fail("not listening: \(error)")
            }
        }
        let shown = "\(address.host):\(address.port)"
        return {
            let totals = counters.totals
            return ListenerReport(
                address: shown, problem: counters.problem, accepted: totals.accepted, duplicates: totals.duplicates, refused: totals.refused,
                refusals: counters.recentRefusals.map { ListenerReport.Refusal(at: $0.at, source: $0.source, status: $0.status, reason: $0.reason) })
        }
    }

    /// The engine as the configuration sets its limits. On a PostgreSQL store it is one worker
    /// among several (claims per task, `TOWER_MAX_CONCURRENT_TASKS` of them here); on SQLite it
    /// holds the store's lease.
    static func engine(store: any Store, workflow: Workflow, _ config: Configuration, log: EngineLog? = nil) -> Engine {
        var configuration = EngineConfiguration(
            maxConcurrentTasks: config.integer("TOWER_MAX_CONCURRENT_TASKS", default: 4),
            maxCIRetries: config.integer("TOWER_MAX_CI_RETRIES", default: 3))
        configuration.auditRetention = TimeInterval(config.integer("TOWER_AUDIT_RETENTION_DAYS", default: 400)) * 86_400
        if store is PostgresStore { configuration.sharing = .claims }
        configuration.log = log
        return Engine(store: store, workflow: workflow, configuration: configuration)
    }

    /// Opens the terminal and runs the console until the operator quits.
    static func present(
        store: any Store, engine: Engine?, options: ConsoleRuntime.Options, integrations: [Health.Integration],
        checks: (@Sendable () async -> [Health.Integration])?, prepare: (@Sendable () async throws -> String)? = nil,
        listenerReport: (@Sendable () -> ListenerReport)? = nil
    ) async throws {
        let env = ProcessInfo.processInfo.environment
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal(environment: env, mouse: options.mouse)
        } catch {
            throw CLIError.failure(String(describing: error))
        }
        let runtime = ConsoleRuntime(
            store: store, engine: engine, terminal: terminal,
            themes: ThemeLibrary.standard(environment: env, executable: URL(fileURLWithPath: CommandLine.arguments[0])),
            options: options, integrations: integrations, checkIntegrations: checks, prepare: prepare, listenerReport: listenerReport,
            colorless: terminal.depth == .none)
        await runtime.run()
    }

    /// The health line's services as configured, and the check that asks each who we are
    /// (quiet, single attempt: the health line reports, it does not retry).
    static func integrationChecks(_ config: Configuration, enabled: Bool) -> ([Health.Integration], (@Sendable () async -> [Health.Integration])?) {
        let http = HTTPClient(policy: RetryPolicy(maxAttempts: 1), redactor: Redactor(secrets: config.secretValues), requestTimeout: 10)
        let gateway = Gateway(configuration: config, http: http)
        let integrations = Gateway.Service.allCases.map { service in
            Health.Integration(name: service.title, condition: gateway.unavailable[service] == nil ? .unchecked : .notConfigured)
        }
        guard enabled else { return (integrations, nil) }
        let check: @Sendable () async -> [Health.Integration] = {
            let checks = await Doctor.check(gateway)
            return checks.map { integration($0) }
        }
        return (integrations, check)
    }

    /// A doctor's check as the health line shows it.
    static func integration(_ check: HealthCheck) -> Health.Integration {
        let condition: Health.Integration.Condition
        switch check.status {
        case .ok:
            condition = .ok(headroom: check.headroom.map { headroom in headroom.limit.map { "\(headroom.remaining)/\($0)" } ?? "\(headroom.remaining)" })
        case .failed: condition = .failed(check.message ?? "failed")
        case .notConfigured: condition = .notConfigured
        }
        return Health.Integration(name: check.service.title, condition: condition)
    }
}
