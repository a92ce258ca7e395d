import ArgumentParser
import Foundation
import TowerAgents
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

    func run() async throws {
        try await reportingErrors {
            let config = try global.loadValidConfiguration()
            let store = try await global.openStore()
            guard let address = Listener.address(config["TOWER_LISTEN"]) else { throw CLIError.failure("TOWER_LISTEN is not HOST:PORT") }
            _ = WorkflowAssembly.metricsRegistry
            let engineBox = EngineBox()
            let workflow = WorkflowAssembly.workflow(
                configuration: config, store: store, sentryLog: WorkflowAssembly.stderrLog,
                ciNews: { repository, branch in await engineBox.engine?.announceCINews(repository: repository, branch: branch) },
                wake: { await engineBox.engine?.wake() })
            let engine = RunConsole.engine(store: store, workflow: workflow, config)
            await engineBox.set(engine)
            let secrets = WorkflowAssembly.webhookSecrets(config)
            let missing = Set(WebhookSource.allCases.filter { secrets[$0]?.isEmpty ?? true }.map(\.secretKey)).sorted()
            let listener = Listener(
                host: host ?? address.host, port: port ?? address.port, store: store, secrets: secrets, received: { await engine.wake() },
                health: { ["engine": await engine.isActive ? "running here" : "waiting for the lease"] }, metrics: WorkflowAssembly.metrics(store: store),
                limits: WorkflowAssembly.listenerLimits(config),
                log: { FileHandle.standardError.write(Data("tower serve: \($0)\n".utf8)) })
            let running = Task { await engine.run() }
            do {
                try await listener.run(signals: true) { bound in
                    print("tower serve: listening on \(listener.host):\(bound)" + (missing.isEmpty ? "" : "; refusing every request on routes without a secret (\(missing.joined(separator: ", ")))"))
                    print("tower serve: \(listener.limits.summary)")
                    Format.flush()
                }
            } catch {
                running.cancel()
                await running.value
                throw CLIError.failure("the listener stopped: \(error)")
            }
            running.cancel()
            await running.value
            print("tower serve: stopped")
        }
    }
}

/// The engine, for the inbox job that must wake it (built before the engine exists).
actor EngineBox {
    var engine: Engine?
    func set(_ engine: Engine) { self.engine = engine }
}
