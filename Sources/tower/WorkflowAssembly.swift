import CoreMetrics
import Foundation
import TowerAgents
import TowerConfig
import TowerEngine
import TowerGateway
import TowerNet
import TowerStore
import TowerWebhooks

/// Which implementation runs each workflow step in this build: the agents over the services
/// the configuration allows.
enum WorkflowAssembly {
    static func services(configuration: Configuration, store: any Store) -> AgentServices {
        let http = HTTPClient(redactor: Redactor(secrets: configuration.secretValues))
        let gateway = Gateway(configuration: configuration, http: http)
        let prompts = PromptLibrary.standard(environment: ProcessInfo.processInfo.environment, executable: URL(fileURLWithPath: CommandLine.arguments[0]))
        return AgentServices.configured(configuration, gateway: gateway, store: store, prompts: prompts)
    }

    /// The Sentry monitor's lines on standard error, for commands without a screen.
    static let stderrLog: @Sendable (String) async -> Void = { message in
        FileHandle.standardError.write(Data("tower sentry: \(message)\n".utf8))
    }

    /// `sentryLog`: where the Sentry monitor's lines go (`nil` in the console, which shows its
    /// passes from the store).
    /// `wake`: how the inbox's processing wakes the engine (CI news, a new task).
    static func workflow(
        configuration: Configuration, store: any Store, sentryLog: (@Sendable (String) async -> Void)? = nil,
        ciNews: @escaping @Sendable (String, String?) async -> Void = { _, _ in }, wake: @escaping @Sendable () async -> Void = {}
    ) -> Workflow {
        let services = services(configuration: configuration, store: store)
        var workflow = Workflow.agents(services, store: store, sentryLog: sentryLog)
        // Whichever process listens, the engine that holds the lease processes the inbox.
        workflow.jobs.append(
            InboxProcessor(
                store: store, services: services, slackApprovers: Set(Signatures.secrets(configuration["TOWER_SLACK_APPROVERS"])), ciNews: ciNews, wake: wake))
        return workflow
    }

    /// This process's metrics, set up on first use (swift-metrics takes one backend per process).
    static let metricsRegistry: PrometheusMetrics = {
        let registry = PrometheusMetrics()
        MetricsSystem.bootstrap(registry)
        EngineMetrics.register()
        return registry
    }()

    /// `/metrics`: what this process recorded, then the store's shared figures.
    static func metrics(store: any Store) -> @Sendable () async -> String {
        let registry = metricsRegistry
        return {
            let shared = (try? await store.scrape().prometheus) ?? "# the store cannot be read\n"
            return registry.render() + shared
        }
    }

    /// Each source's secrets, as the configuration holds them.
    static func webhookSecrets(_ configuration: Configuration) -> [WebhookSource: [String]] {
        var secrets: [WebhookSource: [String]] = [:]
        for source in WebhookSource.allCases { secrets[source] = Signatures.secrets(configuration[source.secretKey]) }
        return secrets
    }

    /// The listener's limits: the descriptor limit raised to its hard limit first, so the cap
    /// on connections is taken from what this process really has.
    static func listenerLimits(_ configuration: Configuration) -> ListenerLimits {
        ListenerLimits(configuration, descriptorLimit: ListenerLimits.raiseDescriptorLimit())
    }
}
