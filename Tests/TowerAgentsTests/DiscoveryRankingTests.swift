import Foundation
import Testing
import TowerCore
import TowerServices

@testable import TowerAgents

/// Discovery without a model on the fixture organization: the right repository and file first,
/// reasons that name the matched keywords, dependencies from manifests and code.
@Suite struct DiscoveryRankingTests {

    static let tickets: [(title: String, body: String, repository: String, file: String)] = [
        ("VAT is wrong for reduced-rate items", "compute_vat applies the standard rate to books; VAT_RATES needs reduced rates per country.", "billing-service", "billing_service/tax.py"),
        ("Billing client should retry on 503", "BillingClient gives up at once when the billing service answers 503. Retry with backoff, up to MAX_RETRIES.", "billing-client", "billing_client/client.py"),
        ("Login form: show password toggle", "Add a show/hide password button to the LoginForm component on the sign-in page.", "web-dashboard", "src/components/LoginForm.tsx"),
        ("Shorter token lifetime", "Tokens from IssueToken live for 24 hours. Make TokenTTL configurable with a default of one hour.", "auth-service", "internal/token/jwt.go"),
        ("Rate limit sign-in attempts", "Use the RateLimiter for the session endpoint: 5 attempts per minute per client address.", "auth-service", "internal/ratelimit/limiter.go"),
        ("Invoice currency must be ISO 4217", "The Invoice model accepts any currency string. Validate the currency field against ISO 4217 codes.", "shared-models", "shared_models/invoice.py"),
        ("Dark mode is forgotten on reload", "useDarkMode should read the saved theme before the first paint.", "web-dashboard", "src/hooks/useDarkMode.ts"),
    ]

    @Test(arguments: 0..<tickets.count)
    func theRightRepositoryAndFileRankFirst(_ index: Int) async throws {
        let ticket = Self.tickets[index]
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = DiscoveryAgent(forge: forge, owner: FixtureOrganization.owner, caller: nil, prompts: PromptLibrary(directories: []))
        let report = try await agent.discover(title: ticket.title, description: ticket.body)
        let top = try #require(report.result.rankedRepos.first)
        #expect(top.name == ticket.repository, "\(ticket.title): \(report.result.rankedRepos.map { "\($0.name) \($0.relevance)" })")
        #expect(top.relevance == 1)
        #expect(top.files.first?.path == ticket.file, "\(ticket.title): \(top.files.prefix(3).map { "\($0.path) \($0.relevance) \($0.reason ?? "")" })")
        #expect(report.searchCalls <= DiscoveryAgent.Budget().searchCalls)
        // Every relevance is in 0–1, and the reasons name keywords the ticket has.
        for repo in report.result.relevantRepos {
            #expect((0...1).contains(repo.relevance))
            for file in repo.files {
                #expect((0...1).contains(file.relevance))
                let reason = try #require(file.reason)
                #expect(report.result.keywords.contains { reason.contains($0) }, "\(file.path): \(reason)")
            }
        }
    }

    /// A ticket that asks to add a name the code holds nowhere ("Add `refreshToken` helper")
    /// leads to where the name's words are: its parts are searched and ranked as words.
    @Test func aNewNameLeadsToWhereItsWordsAre() async throws {
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = LogLines()
        let agent = DiscoveryAgent(forge: forge, owner: FixtureOrganization.owner, caller: nil, prompts: PromptLibrary(directories: []), log: { await lines.append($0) })
        let report = try await agent.discover(title: "Add `refreshToken` helper", description: "")
        let logged = await lines.all
        let top = try #require(report.result.rankedRepos.first)
        #expect(top.name == "auth-service", "\(report.result.rankedRepos.map { "\($0.name) \($0.relevance)" })")
        #expect(top.files.first?.path == "internal/token/jwt.go", "\(top.files.prefix(3).map(\.path))")
        #expect(report.searchedKeywords.prefix(3) == ["refreshToken", "refresh", "token"], "\(report.searchedKeywords)")
        #expect(logged.contains { $0.contains("\"refreshToken\" is nowhere in the code: a new name, so its words are searched: refresh, token") }, "\(logged)")
    }

    @Test func aFileThatDefinesAnIdentifierOutranksOneThatMentionsIt() async throws {
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = DiscoveryAgent(forge: forge, owner: FixtureOrganization.owner, caller: nil, prompts: PromptLibrary(directories: []))
        let report = try await agent.discover(title: "Change IssueToken", description: "`IssueToken` should add an audience claim.")
        let files = try #require(report.result.rankedRepos.first?.files)
        #expect(files.first?.path == "internal/token/jwt.go")
        #expect(files.first?.reason?.contains("IssueToken (defines") == true, "\(files.first?.reason ?? "")")
        let caller = try #require(files.first { $0.path == "cmd/server/main.go" })
        #expect(caller.relevance < 1)
        #expect(caller.reason?.contains("IssueToken (mentions") == true)
    }

    @Test func dependenciesComeFromManifestsAndCode() async throws {
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = DiscoveryAgent(forge: forge, owner: FixtureOrganization.owner, caller: nil, prompts: PromptLibrary(directories: []))
        let report = try await agent.discover(title: "Invoice totals in the client", description: "BillingClient.get_invoice should return the Invoice total.")
        let edges = report.result.crossRepoDependencies
        #expect(edges.contains(DiscoveryResult.Dependency(from: "billing-client", to: "shared-models", type: "library")), "\(edges)")
        #expect(edges.contains(DiscoveryResult.Dependency(from: "billing-client", to: "billing-service", type: "API")), "\(edges)")
        #expect(report.dependencyEvidence.contains { $0.contains("pyproject.toml declares shared-models") })
    }

    /// A Jira component spelled as a repository's name leads, however it is spelled; the
    /// repository the words chose keeps its place beside it; a component that names no
    /// repository changes nothing; a pinned repository outranks a component.
    @Test func aComponentThatNamesARepositoryLeads() async throws {
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = DiscoveryAgent(forge: forge, owner: FixtureOrganization.owner, caller: nil, prompts: PromptLibrary(directories: []))
        let (title, body) = ("VAT is wrong for reduced-rate items", "compute_vat applies the standard rate to books; VAT_RATES needs reduced rates per country.")
        let plain = try await agent.discover(title: title, description: body)
        #expect(plain.result.rankedRepos.first?.name == "billing-service")

        for spelling in ["Billing Client", "billing_client", "BILLING-CLIENT"] {
            let led = try await agent.discover(title: title, description: body, components: ["Backend", spelling])
            let first = try #require(led.result.rankedRepos.first)
            #expect(first.name == "billing-client" && first.relevance == 1, "\(spelling): \(led.result.rankedRepos.map { "\($0.name) \($0.relevance)" })")
            #expect(first.reason.hasPrefix("the ticket's Jira component \"\(spelling)\" names it; "), "\(first.reason)")
            #expect(led.result.rankedRepos.contains { $0.name == "billing-service" && $0.relevance == 1 })
            #expect(led.result.rankedRepos.first { $0.name == "billing-service" }?.files.first?.path == "billing_service/tax.py")
        }
        // Names no repository: the same answer as without it.
        let backend = try await agent.discover(title: title, description: body, components: ["Backend", "billing"])
        #expect(backend.result == plain.result)
        // Pinned: the pin decides.
        let pinned = try await agent.discover(
            title: title, description: body, pinned: RepositoryRef(owner: FixtureOrganization.owner, name: "billing-service"), components: ["billing-client"])
        #expect(pinned.result.rankedRepos.map(\.name) == ["billing-service"])
    }

    /// Words that match nothing, filed under a repository's component: that repository, with no
    /// files and a reason that says so, rather than "nothing matches".
    @Test func aComponentAloneStillNamesTheRepository() async throws {
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = DiscoveryAgent(forge: forge, owner: FixtureOrganization.owner, caller: nil, prompts: PromptLibrary(directories: []))
        let report = try await agent.discover(title: "Quaternion slerp", description: "The gyroscope fusion drifts; use quaternion slerp.", components: ["auth-service"])
        let first = try #require(report.result.rankedRepos.first)
        #expect(first.name == "auth-service" && first.relevance == 1 && first.files.isEmpty)
        #expect(first.reason == "the ticket's Jira component \"auth-service\" names it; none of its files matched the ticket's words")
        #expect(report.repositoriesConsidered == ["acme/auth-service"])
    }

    @Test func aTicketThatMatchesNothingSaysWhatWasSearched() async throws {
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = DiscoveryAgent(forge: forge, owner: FixtureOrganization.owner, caller: nil, prompts: PromptLibrary(directories: []))
        await #expect {
            try await agent.discover(title: "Quaternion slerp", description: "The gyroscope fusion drifts; use quaternion slerp.")
        } throws: { error in
            let text = String(describing: error)
            return text.contains("nothing in acme matches") && text.contains("\"quaternion\"") && text.contains("5 repositories")
        }
    }

    @Test func withoutAModelComplexityAndApproachComeFromTheCounts() async throws {
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = DiscoveryAgent(forge: forge, owner: FixtureOrganization.owner, caller: nil, prompts: PromptLibrary(directories: []))
        let result = try await agent.discover(title: "Shorter token lifetime", description: "Make TokenTTL configurable in IssueToken.").result
        #expect(["Low", "Medium", "High"].contains(result.estimatedComplexity))
        #expect(result.recommendedApproach.contains("auth-service"))
        // The original's JSON keys, exactly.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any]
        #expect(Set(json?.keys.map { $0 } ?? []) == ["relevantRepos", "crossRepoDependencies", "estimatedComplexity", "recommendedApproach", "keywords"])
    }
}

/// What a Discovery run logged, in order.
actor LogLines {
    private(set) var all: [String] = []
    func append(_ line: String) { all.append(line) }
}
