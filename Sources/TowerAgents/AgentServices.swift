import Foundation
import TowerConfig
import TowerCore
import TowerGateway
import TowerLLM
import TowerResources
import TowerServices
import TowerStore
import TowerEngine

/// What the agents work with, as configured: the forge (GitHub or the local forge), the model
/// (or none), the prompts, Jira and Slack (or the reason each is missing). Built once per
/// process from the gateway; every agent reads from here, never from the environment.
public struct AgentServices: Sendable {
    public var forge: (any Forge)?
    /// Why there is no forge.
    public var forgeProblem: String
    /// Whose repositories Discovery searches (`GITHUB_ORG`).
    public var owner: String
    public var llm: (any LLMProvider)?
    /// The default model (`TOWER_LLM_MODEL`), `provider:model` or a bare Anthropic name.
    public var model: String
    /// Each agent's model where it differs (`TOWER_MODEL_PLANNING`, …).
    public var agentModels: [Agent: String] = [:]
    /// Why there is no model.
    public var llmProblem: String
    public var prompts: PromptLibrary
    public var jira: JiraClient?
    public var jiraProblem: String
    /// Tickets read from a file when there is no Jira (`TOWER_TICKETS_FILE`, the demo's).
    public var tickets: TicketFile?
    public var slack: SlackClient?
    public var slackProblem: String
    public var slackChannel: String
    public var trees = TreeCache()
    /// Tower's secret values, kept out of every prompt.
    public var secrets: [String] = []
    public var discoveryBudget = DiscoveryAgent.Budget()
    /// How code is tested while Execution writes it.
    public var execution = ExecutionSettings()
    /// The model budgets per task and per day (`TOWER_TASK_BUDGET`, `TOWER_DAILY_BUDGET`).
    public var budget = BudgetSettings()
    /// The price table calls are priced with; `nil` without a model.
    public var prices: PriceTable?
    /// How CI is watched.
    public var ci = CISettings()
    /// Sentry, when configured, for the Sentry monitor.
    public var sentryClient: SentryClient?
    /// How the Sentry monitor runs.
    public var sentry = SentrySettings()
    /// The daily shift hand-off's hour and reach (`TOWER_DIGEST_HOUR`, `TOWER_DIGEST_SINCE`).
    public var digest = DigestSettings()

    public init(
        forge: (any Forge)?, forgeProblem: String = "", owner: String, llm: (any LLMProvider)?, model: String = AgentServices.defaultModel,
        llmProblem: String = "", prompts: PromptLibrary, jira: JiraClient? = nil, jiraProblem: String = "Jira is not configured",
        slack: SlackClient? = nil, slackProblem: String = "Slack is not configured", slackChannel: String = "#ai-agents"
    ) {
        self.forge = forge
        self.forgeProblem = forgeProblem
        self.owner = owner
        self.llm = llm
        self.model = model
        self.llmProblem = llmProblem
        self.prompts = prompts
        self.jira = jira
        self.jiraProblem = jiraProblem
        self.slack = slack
        self.slackProblem = slackProblem
        self.slackChannel = slackChannel
    }

    /// The model the agents ask unless `TOWER_LLM_MODEL` says otherwise.
    public static let defaultModel = "claude-sonnet-4-20250514"

    /// The agents that ask a model, each of which may ask its own: teams plan with a strong
    /// model and edit with a cheaper one.
    public enum Agent: String, Sendable, CaseIterable {
        case discovery, planning, execution, cicd

        /// Its setting (`TOWER_MODEL_PLANNING`).
        public var setting: String { "TOWER_MODEL_\(rawValue.uppercased())" }
    }

    /// The model `agent` asks: its own setting, else the default.
    public func model(for agent: Agent) -> String { agentModels[agent] ?? model }

    /// The services the configuration and the gateway allow. `TOWER_LLM_REPLAY=DIR` answers from
    /// recordings instead of a model; `TOWER_LLM_RECORD=DIR` records every answer.
    public static func configured(_ configuration: Configuration, gateway: Gateway, store: any Store, prompts: PromptLibrary) -> AgentServices {
        let forge = gateway.forge(store: store)
        var llm: (any LLMProvider)?
        var llmProblem = ""
        let defaultChoice = configuration["TOWER_LLM_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultModel
        var agentModels: [Agent: String] = [:]
        for agent in Agent.allCases { if let value = configuration[agent.setting], !value.isEmpty { agentModels[agent] = value } }
        if let replay = configuration["TOWER_LLM_REPLAY"], !replay.isEmpty {
            llm = ReplayProvider(directory: URL(fileURLWithPath: replay))
        } else {
            var providers: [ModelChoice.Provider: any LLMProvider] = [:]
            var problems: [ModelChoice.Provider: String] = [:]
            if let anthropic = gateway.anthropic { providers[.anthropic] = anthropic } else {
                problems[.anthropic] = "Anthropic is \(gateway.unavailable[.anthropic].map(String.init(describing:)) ?? "not configured")"
            }
            if let bedrock = gateway.bedrock { providers[.bedrock] = bedrock } else {
                problems[.bedrock] = "Amazon Bedrock is \(gateway.unavailable[.bedrock].map(String.init(describing:)) ?? "not configured")"
            }
            if let openai = gateway.openai { providers[.openai] = openai } else {
                problems[.openai] = "OpenAI-compatible is \(gateway.unavailable[.openai].map(String.init(describing:)) ?? "not configured")"
            }
            // A model is configured when the default's provider is: an agent on another,
            // unconfigured provider fails its own calls with the reason.
            let used = Set(([defaultChoice] + agentModels.values).map { ModelChoice($0).provider })
            if used.contains(where: { providers[$0] != nil }) {
                llm = ProviderRouter(providers: providers, problems: problems)
            } else {
                llmProblem = used.sorted { $0.rawValue < $1.rawValue }.compactMap { problems[$0] }.joined(separator: "; ")
            }
        }
        var table: PriceTable?
        if let inner = llm {
            do {
                table = try prices(configuration)
                llm = PricedProvider(inner, prices: table!)
            } catch {
                llm = nil
                llmProblem = "\(error)"
            }
        }
        if let record = configuration["TOWER_LLM_RECORD"], !record.isEmpty, let inner = llm {
            llm = RecordingProvider(recording: inner, into: URL(fileURLWithPath: record))
        }
        func problem(_ service: Gateway.Service) -> String {
            "\(service.title) is \(gateway.unavailable[service].map(String.init(describing:)) ?? "not configured")"
        }
        var services = AgentServices(
            forge: forge.forge, forgeProblem: forge.problem ?? "", owner: gateway.githubOrg ?? "", llm: llm,
            model: defaultChoice, llmProblem: llmProblem, prompts: prompts,
            jira: gateway.jira, jiraProblem: problem(.jira), slack: gateway.slack, slackProblem: problem(.slack),
            slackChannel: gateway.slackChannel ?? "#ai-agents")
        services.agentModels = agentModels
        services.secrets = configuration.secretValues
        if let file = configuration["TOWER_TICKETS_FILE"], !file.isEmpty { services.tickets = TicketFile(url: URL(fileURLWithPath: file)) }
        services.execution = ExecutionSettings(configuration)
        services.budget = BudgetSettings(configuration)
        services.prices = table
        services.ci = CISettings(configuration)
        services.sentry = SentrySettings(configuration)
        services.digest = DigestSettings(configuration)
        if let unavailable = gateway.unavailable[.sentry] {
            services.sentry.problem = "Sentry is \(unavailable)"
        } else if services.sentry.problem.hasPrefix("Sentry is not configured") {
            // A readable thresholds setting: the client is all the monitor needs.
            services.sentryClient = gateway.sentry
        }
        return services
    }

    /// The shipped price table, with `TOWER_PRICES_FILE`'s rows over it.
    public static func prices(_ configuration: Configuration) throws -> PriceTable {
        let shipped = try PriceTable.parse(Bundled.text("pricing/models.toml") ?? "", origin: "pricing/models.toml")
        guard let path = configuration["TOWER_PRICES_FILE"], !path.isEmpty else { return shipped }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PriceTable.FileError(description: "TOWER_PRICES_FILE: cannot read \(path)")
        }
        return shipped.overridden(by: try PriceTable.parse(text, origin: path))
    }

    /// What a workflow cannot run without, said before a task is created rather than when its
    /// first step fails: a forge and whose repositories, a model, and for a Jira ticket, Jira
    /// (or a tickets file).
    public func missingForWorkflow(fromJiraTicket: Bool) -> [String] {
        var missing: [String] = []
        if forge == nil {
            missing.append("a forge: \(forgeProblem)")
        } else if owner.isEmpty {
            missing.append("GITHUB_ORG: it names whose repositories the agents work on")
        }
        if llm == nil { missing.append("a language model: \(llmProblem); or set TOWER_LLM_REPLAY=DIR to answer from recordings") }
        if fromJiraTicket, jira == nil, tickets == nil { missing.append("Jira, to read the ticket: \(jiraProblem); or set TOWER_TICKETS_FILE") }
        return missing
    }

    /// The forge, or a failure that says how to configure one (retrying cannot fix it). For a
    /// step that writes to it, its writes go into the audit trail under the step's key.
    func requireForge(auditedFor context: StepContext? = nil) throws -> any Forge {
        guard let forge else { throw PermanentStepFailure(forgeProblem) }
        guard !owner.isEmpty else { throw PermanentStepFailure("GITHUB_ORG is not set: it names whose repositories the agents work on") }
        guard let context else { return forge }
        return AuditedForge(base: forge, store: context.store, taskId: context.task.id, key: context.idempotencyKey)
    }

    /// The outbox-backed messenger for a running step, logging to its task.
    func notifier(_ context: StepContext) -> Notifier {
        Notifier(
            store: context.store, taskId: context.task.id, jira: jira, jiraProblem: jiraProblem, slack: slack, slackProblem: slackProblem,
            slackChannel: slackChannel
        ) { level, message in try? await context.log(level, message) }
    }

    /// The outbox-backed messenger outside a step (a scheduled job), logging to the task as `agent`.
    func notifier(store: any Store, taskId: String, agent: String) -> Notifier {
        Notifier(store: store, taskId: taskId, jira: jira, jiraProblem: jiraProblem, slack: slack, slackProblem: slackProblem, slackChannel: slackChannel) {
            level, message in
            _ = try? await store.appendEvents([TaskEvent(taskId: taskId, at: Date(), level: level, agent: agent, message: message)])
        }
    }

    /// A structured caller over `agent`'s model, or `nil` when none is configured.
    func caller(for agent: Agent) -> StructuredCaller? {
        llm.map { StructuredCaller(provider: $0, model: model(for: agent), secrets: secrets) }
    }

    /// `agent`'s caller for a running step: its calls kept with the task under `step`, each
    /// checked against the task's and the day's budget first.
    func caller(for agent: Agent, in context: StepContext, step: String) -> StructuredCaller? {
        let gate = BudgetGate(store: context.store, taskId: context.task.id, settings: budget, notifier: notifier(context), now: Date.init)
        return caller(for: agent)?.recording(to: context.store, taskId: context.task.id, step: step).gated { try await gate.check() }
    }
}
