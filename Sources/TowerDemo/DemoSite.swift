import Foundation
import TowerAgents
import TowerConfig
import TowerCore
import TowerEngine
import TowerGateway
import TowerLLM
import TowerNet
import TowerServices
import TowerStore

/// The demo's sandbox on disk, under the state directory (`$STATE/demo`): its own store, a
/// local forge holding the organization, the ticket file and the recordings. Safe to prepare
/// twice (what exists is kept); ``reset()`` starts it over. Its configuration is its own: none
/// of the operator's credentials or settings reach it, so the demo never posts to a real Slack.
public struct DemoSite: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The demo under a state directory.
    public static func under(stateDirectory: URL) -> DemoSite {
        DemoSite(root: stateDirectory.appendingPathComponent("demo"))
    }

    /// The demo's own store directory.
    public var stateDirectory: URL { root.appendingPathComponent("state") }
    /// The local forge's bare repositories.
    public var forgeDirectory: URL { root.appendingPathComponent("forge") }
    public var recordingsDirectory: URL { root.appendingPathComponent("recordings") }
    public var ticketsFile: URL { root.appendingPathComponent("tickets.json") }

    /// Removes everything the demo made.
    public func reset() throws {
        guard FileManager.default.fileExists(atPath: root.path) else { return }
        try FileManager.default.removeItem(at: root)
    }

    /// The demo's settings: the local forge, the ticket file, the recordings, and nothing else.
    public func configuration(ciPollInterval: Double = 1) -> Configuration {
        .fixed([
            "TOWER_HOME": stateDirectory.path,
            "TOWER_FORGE_DIR": forgeDirectory.path,
            "GITHUB_ORG": DemoOrganization.owner,
            "TOWER_LLM_REPLAY": recordingsDirectory.path,
            "TOWER_TICKETS_FILE": ticketsFile.path,
            "TOWER_CI_POLL_INTERVAL": String(ciPollInterval),
            "TOWER_MAX_CONCURRENT_TASKS": "2",
        ])
    }

    /// The agents as the demo runs them: the shipped prompts only (the recordings were made
    /// from them; an operator's override would not match), Slack and Jira absent, so their
    /// messages stay in the outbox marked not sent.
    public func services(store: any Store, configuration: Configuration? = nil, llm: (any LLMProvider)? = nil) -> AgentServices {
        let configuration = configuration ?? self.configuration()
        let gateway = Gateway(configuration: configuration, http: HTTPClient(redactor: Redactor(secrets: [])))
        var services = AgentServices.configured(configuration, gateway: gateway, store: store, prompts: .bundled)
        if let llm { services.llm = llm }
        services.jiraProblem = "Jira is not configured (the demo keeps its messages in the outbox)"
        services.slackProblem = "Slack is not configured (the demo keeps its messages in the outbox)"
        return services
    }

    /// Writes the ticket file and the recordings from the binary (always: they must match this
    /// build's prompts), and loads the organization into the forge unless it is there already.
    /// Returns what it did, for the operator.
    @discardableResult
    public func prepare(store: any Store) async throws -> String {
        let files = FileManager.default
        try files.createDirectory(at: recordingsDirectory, withIntermediateDirectories: true)
        guard let tickets = DemoOrganization.tickets() else { throw DemoError("this build has no demo ticket (demo/tickets.json was not bundled)") }
        try Data(tickets.utf8).write(to: ticketsFile, options: .atomic)
        let recordings = DemoOrganization.recordings()
        for name in try files.contentsOfDirectory(atPath: recordingsDirectory.path) where recordings[name] == nil {
            try files.removeItem(at: recordingsDirectory.appendingPathComponent(name))
        }
        for (name, text) in recordings { try Data(text.utf8).write(to: recordingsDirectory.appendingPathComponent(name), options: .atomic) }
        let forge = LocalForge(root: forgeDirectory, store: store)
        var made: [String] = []
        for (name, changes) in DemoOrganization.repositories().sorted(by: { $0.key < $1.key }) {
            let repo = RepositoryRef(owner: DemoOrganization.owner, name: name)
            let existed = files.fileExists(atPath: forgeDirectory.appendingPathComponent("\(repo.owner)/\(repo.name).git").path)
            _ = try await forge.createRepository(repo, files: changes, message: "Initial commit of \(name)")
            if !existed { made.append(name) }
        }
        return made.isEmpty
            ? "the demo organization is in \(forgeDirectory.path)"
            : "the demo organization (\(made.joined(separator: ", "))) loaded into \(forgeDirectory.path)"
    }

    /// The demo's task for DEMO-1: the one already started (whatever its state), or a new one.
    public func task(store: any Store, by actor: Actor) async throws -> (task: TowerTask, isNew: Bool) {
        if let existing = try await store.tasks(status: nil, limit: nil).first(where: { $0.ticketId == DemoOrganization.ticket }) {
            return (existing, false)
        }
        let file = TicketFile(url: ticketsFile)
        guard let issue = try file.issue(DemoOrganization.ticket) else { throw DemoError("\(ticketsFile.path) has no \(DemoOrganization.ticket)") }
        let task = try await OperatorCommands(store: store).start(
            ticketId: issue.key, title: issue.summary, description: issue.description, source: .jira, by: actor)
        return (task, true)
    }
}

/// Why the demo cannot be set up.
public struct DemoError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
