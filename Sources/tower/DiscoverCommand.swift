import ArgumentParser
import Foundation
import TowerAgents
import TowerCore
import TowerServices

/// `tower discover "TEXT"`: Discovery alone, for a ticket's text: the ranked repositories and
/// files, the dependencies, the approach, as the original's JSON on stdout. Creates no task.
struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover", abstract: "Run Discovery alone and print its JSON (no task is created).",
        discussion: "What was searched and spent goes to stderr; stdout has only the JSON. Exit 1 when nothing matches.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The ticket's text: a title, optionally followed by a description.")
    var text: String

    @Flag(name: .long, help: "Use the lexical ranking only: no model is asked for search terms or the approach.")
    var noLLM = false

    @Option(name: .long, help: "Look only in this repository, OWNER/NAME.")
    var repo: String?

    @Option(name: .long, help: "A Jira component the ticket is filed under (repeatable); one that names a repository leads, as from Jira.")
    var component: [String] = []

    @Flag(name: .shortAndLong, help: "Print each step on stderr.")
    var verbose = false

    func run() async throws {
        try await reportingErrors {
            let config = try global.loadConfiguration()
            let store = try await global.openStore()
            let services = WorkflowAssembly.services(configuration: config, store: store)
            guard let forge = services.forge else { throw CLIError.failure(services.forgeProblem) }
            guard !services.owner.isEmpty else { throw CLIError.failure("GITHUB_ORG is not set: it names whose repositories to search") }
            var pinned: RepositoryRef?
            if let repo {
                guard let ref = RepositoryRef(repo) else { throw CLIError.failure("--repo takes OWNER/NAME, not \(repo)") }
                pinned = ref
            }
            let caller = noLLM ? nil : services.llm.map { StructuredCaller(provider: $0, model: services.model(for: .discovery), secrets: services.secrets) }
            if !noLLM && caller == nil { Self.note("no model (\(services.llmProblem)): lexical ranking only") }
            let verbose = verbose
            var agent = DiscoveryAgent(
                forge: forge, owner: services.owner, caller: caller, prompts: services.prompts, log: { if verbose { Self.note($0) } })
            agent.budget = services.discoveryBudget
            let lines = text.split(separator: "\n", maxSplits: 1).map(String.init)
            let started = Date()
            let report: DiscoveryAgent.Report
            do {
                report = try await agent.discover(title: lines.first ?? text, description: lines.count > 1 ? lines[1] : "", pinned: pinned, components: component)
            } catch let error as DiscoveryError {
                throw CLIError.failure(error.description)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report.result), as: UTF8.self))
            Self.note(
                String(
                    format: "discover: %d searches (%@), %d repositories considered, %d files read (%@), %.2f s", report.searchCalls,
                    report.searchedKeywords.joined(separator: ", "), report.repositoriesConsidered.count, report.filesRead,
                    ByteSize.short(report.bytesRead), Date().timeIntervalSince(started)))
        }
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data("tower: \(line)\n".utf8))
    }
}
