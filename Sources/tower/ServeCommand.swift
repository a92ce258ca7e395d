import ArgumentParser
import Foundation
import TowerAgents
import TowerTelemetry
import TowerConfig
import TowerEngine
import TowerStore
import TowerWebhooks

/// `tower serve`: the engine and the webhook listener, headless, for a host with no operator.
/// SIGTERM or SIGINT stops the listener after the requests in flight are answered, then the
/// engine after its steps' current writes; unfinished work resumes on the next start.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the engine and the webhook listener without a console.",
        discussion: """
            Routes: POST /webhooks/github, /webhooks/jira, /webhooks/sentry, /webhooks/slack,
            /webhooks/slack/interactions; GET /healthz. Each verifies its service's signature with
            GITHUB_WEBHOOK_SECRET, JIRA_WEBHOOK_SECRET, SENTRY_WEBHOOK_SECRET or SLACK_SIGNING_SECRET
            (several, comma-separated, while rotating); a route without a secret refuses everything.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Address to bind (default: TOWER_LISTEN's host, else 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Port to bind (default: TOWER_LISTEN's port, else 8001; 0 picks a free one).")
    var port: Int?

    @Option(name: .long, help: "text, or json: one JSON object per log line (default: TOWER_LOG_FORMAT, else text).")
    var logFormat: LogFormat?

    func run() async throws {
        try await reportingErrors {
            let config = try global.loadValidConfiguration()
            let store = try await global.openStore()
            guard let address = Listener.address(config["TOWER_LISTEN"]) else { throw CLIError.failure("TOWER_LISTEN is not HOST:PORT") }
            let observability = try Observability.start(config, format: logFormat)
            try await observability.around { try await serve(config, store: store, address: address, observability) }
        }
    }

    func serve(_ config: Configuration, store: any Store, address: (host: String, port: Int), _ observability: Observability) async throws {
        _ = WorkflowAssembly.metricsRegistry
        let engineBox = EngineBox()
        let workflow = WorkflowAssembly.workflow(
            configuration: config, store: store, sentryLog: WorkflowAssembly.stderrLog,
            ciNews: { repository, branch in await engineBox.engine?.announceCINews(repository: repository, branch: branch) },
            wake: { await engineBox.engine?.wake() })
        let engine = RunConsole.engine(store: store, workflow: workflow, config, log: observability.engineLog)
        await engineBox.set(engine)
        let secrets = WorkflowAssembly.webhookSecrets(config)
        let missing = Set(WebhookSource.allCases.filter { secrets[$0]?.isEmpty ?? true }.map(\.secretKey)).sorted()
        let listener = Listener(
            host: host ?? address.host, port: port ?? address.port, store: store, secrets: secrets, received: { await engine.wake() },
            health: { ["engine": await engine.isActive ? "running here" : "waiting for the lease"] }, metrics: WorkflowAssembly.metrics(store: store),
            limits: WorkflowAssembly.listenerLimits(config),
            log: { message in
                if observability.sink != nil {
                    observability.say("listener", message)
                } else {
                    FileHandle.standardError.write(Data("tower serve: \(message)\n".utf8))
                }
            })
        let running = Task { await engine.run() }
        do {
            try await listener.run(signals: true) { bound in
                observability.say(
                    "listening", "tower serve: listening on \(listener.host):\(bound)"
                        + (missing.isEmpty ? "" : "; refusing every request on routes without a secret (\(missing.joined(separator: ", ")))"),
                    ["address": .string("\(listener.host):\(bound)")])
                observability.say("limits", "tower serve: \(listener.limits.summary)")
            }
        } catch {
            running.cancel()
            await running.value
            throw CLIError.failure("the listener stopped: \(error)")
        }
        running.cancel()
        await running.value
        observability.say("stopped", "tower serve: stopped")
    }
}

/// The engine, for the inbox job that must wake it (built before the engine exists).
actor EngineBox {
    var engine: Engine?
    func set(_ engine: Engine) { self.engine = engine }
}
