import Foundation
import Hummingbird
import TowerAgents
import TowerConfig
import TowerCore
import TowerEngine
import TowerGateway
import TowerHTTPTestSupport
import TowerNet
import TowerServices
import TowerStore
import TowerTestLog
import TowerTestSupport

/// GitHub (the fixture organization), Jira, Slack and Anthropic stand-ins on one test server, a
/// real SQLite store, and the agents wired from a configuration that points at them, as the
/// `tower` binary wires them.
final class AgentWorld: @unchecked Sendable {
    let github = OrgGitHub(owner: FixtureOrganization.owner)
    let chat = TicketAndChat()
    let anthropic: AnthropicStandIn
    /// The same answers over Bedrock's wire format, at `/bedrock` (``useBedrock(for:)``).
    let bedrock: BedrockStandIn
    /// The same answers over Chat Completions, at `/openai/v1` (``useOpenAI(for:)``).
    let openai: OpenAIStandIn
    let actions: GitHubActions?
    let server: TestServer
    /// Every request the stand-ins received.
    let requests: RequestLog
    /// Answers planned for the next matching requests (a 429 with a long Retry-After).
    let faults: Faults
    let directory: URL
    let store: SQLiteStore
    var environment: [String: String]

    /// `answer` is what the model says to each forced tool call.
    /// `ci` is the GitHub workflow's verdict on a commit (Actions routes are served only with one).
    init(answer: @escaping @Sendable (JSONValue) -> JSONValue = PlanScript.standard, ci: GitHubActions.Workflow? = nil) async throws {
        anthropic = AnthropicStandIn(answer: answer)
        bedrock = BedrockStandIn(keys: [AgentWorld.awsKeyId: TestSecrets.awsSecret]) { body in
            BedrockStandIn.toolCall(AnthropicStandIn.forcedTool(body) ?? "", input: answer(body))
        }
        openai = OpenAIStandIn { body in answer(OpenAIStandIn.asAnthropic(body)) }
        let github = github, chat = chat, anthropic = anthropic, bedrock = bedrock, openai = openai
        let actions = ci.map { GitHubActions(github: github, ci: $0) }
        self.actions = actions
        let requests = RequestLog(), faults = Faults()
        self.requests = requests
        self.faults = faults
        server = try await TestServer.start(recording: requests, faults: faults) { router in
            github.routes(router)
            actions?.routes(router)
            chat.routes(router)
            anthropic.routes(router)
            bedrock.routes(router, prefix: "/bedrock")
            openai.routes(router, prefix: "/openai/v1")
        }
        directory = TemporaryDirectory.make("tower-agents")
        store = try SQLiteStore(directory: directory.appendingPathComponent("state"))
        environment = ServiceStandIns.environment(base: server.base)
        environment["TOWER_HOME"] = directory.appendingPathComponent("state").path
        environment["TOWER_CI_POLL_INTERVAL"] = "0.05"
        for (name, files) in try FixtureOrganization.files() {
            github.addRepository(name, files: Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.content) }))
        }
    }

    static let awsKeyId = "ASIATST0EXAMPLE"

    /// Sends `agents`' calls (all, when empty) to the Bedrock stand-in, signed with temporary
    /// credentials from the environment.
    func useBedrock(for agents: [AgentServices.Agent] = [], model: String = "bedrock:anthropic.claude-sonnet-4-20250514-v1:0") {
        environment["AWS_REGION"] = "us-east-1"
        environment["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = server.base.absoluteString + "/bedrock"
        environment["AWS_ACCESS_KEY_ID"] = Self.awsKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = TestSecrets.awsSecret
        environment["AWS_SESSION_TOKEN"] = TestSecrets.awsSessionToken
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        if agents.isEmpty { environment["TOWER_LLM_MODEL"] = model }
        for agent in agents { environment[agent.setting] = model }
    }

    /// Sends `agents`' calls (all, when empty) to the OpenAI-compatible stand-in.
    func useOpenAI(for agents: [AgentServices.Agent] = [], model: String = "openai:qwen2.5-coder-32b") {
        environment["OPENAI_BASE_URL"] = server.base.absoluteString + "/openai/v1"
        environment["OPENAI_API_KEY"] = OpenAIStandIn.apiKey
        if agents.isEmpty { environment["TOWER_LLM_MODEL"] = model }
        for agent in agents { environment[agent.setting] = model }
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The shipped prompts in this source tree.
    static var shippedPrompts: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("prompts")
    }

    /// The fixture organization as bare repositories of a local forge beside the store, and
    /// `TOWER_FORGE_DIR` pointing at it.
    @discardableResult
    func localForge() async throws -> (forge: LocalForge, root: URL) {
        let root = directory.appendingPathComponent("forge")
        let forge = LocalForge(root: root, store: store)
        for (name, files) in try FixtureOrganization.files() {
            try await forge.createRepository(RepositoryRef(owner: FixtureOrganization.owner, name: name), files: files)
        }
        environment["TOWER_FORGE_DIR"] = root.path
        return (forge, root)
    }

    func services(prompts: PromptLibrary = PromptLibrary(directories: [AgentWorld.shippedPrompts])) throws -> AgentServices {
        let configuration = try Configuration.load(
            environment: environment, dotEnvPath: directory.appendingPathComponent("none.env").path, configPath: directory.appendingPathComponent("none.toml").path)
        let gateway = Gateway(configuration: configuration, http: HTTPClient(policy: RetryPolicy(maxAttempts: 2, maximumWait: 1), requestTimeout: 20))
        return AgentServices.configured(configuration, gateway: gateway, store: store, prompts: prompts)
    }

    /// Starts a task and runs an engine until the task waits for approval, fails or `timeout` passes.
    func run(
        ticket: String? = nil, title: String, description: String, source: TaskSource = .cli, repository: String? = nil,
        prompts: PromptLibrary = PromptLibrary(directories: [AgentWorld.shippedPrompts]), timeout: TimeInterval = 60
    ) async throws -> TowerTask {
        let now = Date()
        let task = TowerTask.new(ticketId: ticket, title: title, description: description, source: source, now: now, repository: repository)
        try await store.insertTask(task, event: nil, actor: Actor(user: "test", channel: .cli))
        return try await drive(task.id, prompts: prompts, timeout: timeout)
    }

    /// Runs an engine until the task stops moving.
    func drive(_ id: String, prompts: PromptLibrary = PromptLibrary(directories: [AgentWorld.shippedPrompts]), timeout: TimeInterval = 60) async throws -> TowerTask {
        let engine = Engine(
            store: store, workflow: .agents(try services(prompts: prompts)),
            configuration: EngineConfiguration(backoff: RetryBackoff(base: 0.01, maximum: 0.02), pollInterval: 0.02))
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let task = try await store.task(id: id), [.awaitingApproval, .awaitingBudget, .failed, .completed, .rejected].contains(task.status) {
                running.cancel()
                await running.value
                return task
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw CancellationError()
    }

    /// An engine over the world's services, running until the returned task is cancelled.
    func startEngine(prompts: PromptLibrary = PromptLibrary(directories: [AgentWorld.shippedPrompts])) throws -> Task<Void, Never> {
        let engine = Engine(
            store: store, workflow: .agents(try services(prompts: prompts)),
            configuration: EngineConfiguration(backoff: RetryBackoff(base: 0.01, maximum: 0.02), pollInterval: 0.02))
        return Task { await engine.run() }
    }

    /// The task once `done` holds for it (or a terminal status), within `timeout`.
    func until(_ id: String, timeout: TimeInterval = 120, _ done: (TowerTask) -> Bool) async throws -> TowerTask {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let task = try await store.task(id: id), done(task) || task.status.isTerminal { return task }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw CancellationError()
    }

    func log(_ id: String) async throws -> String {
        try await store.events(taskId: id, after: nil, limit: nil).map(\.message).joined(separator: "\n")
    }
}

/// What the stand-in model answers, by the tool a call forces.
enum PlanScript {
    /// The repositories a planning prompt offers.
    static func candidates(_ body: JSONValue) -> [String] {
        let text = AnthropicStandIn.promptText(body)
        guard let range = text.range(of: "use these exact names in `repository` fields):\n") else { return [] }
        let line = text[range.upperBound...].prefix { $0 != "\n" }
        return line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// A sound answer to each call: search terms, an approach, and a plan over the first
    /// repository offered (or all of them, when `spanning`).
    static func answer(_ body: JSONValue, spanning: Bool = false, dependencies: [[Int]]? = nil, repository: String? = nil) -> JSONValue {
        switch AnthropicStandIn.forcedTool(body) {
        case "submit_search_terms":
            return ["related": ["vat_rate", "reduced_rate"]]
        case "submit_approach":
            return ["recommendedApproach": "Change the VAT table and compute_vat in billing-service, then its tests.", "estimatedComplexity": "Low"]
        case "submit_plan":
            let repos = candidates(body)
            let first = repository ?? repos.first ?? "acme/unknown"
            let second = spanning && repos.count > 1 ? repos[1] : first
            let deps = dependencies ?? [[], [1], [2]]
            return .object([
                "summary": "Add reduced VAT rates per country and apply them to reduced-rate items.",
                "inScope": ["Reduced VAT rates for DE and FR", "compute_vat takes an item category"],
                "outOfScope": ["Historical invoices"],
                "components": [
                    ["name": "VAT table", "repository": .string(first), "path": "billing_service/tax.py", "responsibility": "Rates per country and category", "isNew": true],
                    ["name": "Rate source", "repository": .string(second), "path": "billing_service/reduced_rates.py", "responsibility": "Reduced rates", "isNew": false],
                ],
                "dataFlow": "Invoice → compute_vat(net, country, category) → VAT_RATES",
                "unitTests": ["compute_vat(10000, DE, books) == 700", "unknown category uses the standard rate"],
                "integrationTests": ["POST /invoices with a book line bills 7% VAT"],
                "tasks": .array([
                    ["number": 1, "title": "Write tests for reduced rates", "repository": .string(first), "dependencies": .array(deps[0].map { .number(Double($0)) }), "estimatedHours": 1],
                    ["number": 2, "title": "Add reduced rates to VAT_RATES", "repository": .string(first), "dependencies": .array(deps[1].map { .number(Double($0)) }), "estimatedHours": 2],
                    ["number": 3, "title": "Pass the item category through", "repository": .string(second), "dependencies": .array(deps[2].map { .number(Double($0)) }), "estimatedHours": 1.5],
                ]),
                "securityConsiderations": ["Validate the category against a fixed list"],
                "rollbackPlan": "Revert the commit; no data changes.",
            ])
        default:
            return [:]
        }
    }

    static let standard: @Sendable (JSONValue) -> JSONValue = { answer($0) }
}
