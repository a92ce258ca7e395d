import Foundation
import TowerConfig
import TowerLLM
import TowerNet
import TowerServices

/// The outside services Tower talks to, built once from the configuration: a client for each
/// service whose credentials are set, and for the others the reason there is none. Agents,
/// `tower doctor` and `tower tool` all reach the services through this.
public struct Gateway: Sendable {
    /// A service Tower integrates with, in the order operators see them.
    public enum Service: String, CaseIterable, Sendable, Codable {
        case github, jira, slack, sentry, anthropic, bedrock, openai

        /// The name people know it by.
        public var title: String {
            switch self {
            case .github: "GitHub"
            case .jira: "Jira"
            case .slack: "Slack"
            case .sentry: "Sentry"
            case .anthropic: "Anthropic"
            case .bedrock: "Amazon Bedrock"
            case .openai: "OpenAI-compatible"
            }
        }

        /// The settings a cheap authenticated call needs.
        var credentialKeys: [String] {
            switch self {
            case .github: ["GITHUB_TOKEN"]
            case .jira: ["JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"]
            case .slack: ["SLACK_BOT_TOKEN"]
            case .sentry: ["SENTRY_ORG", "SENTRY_AUTH_TOKEN"]
            case .anthropic: ["ANTHROPIC_API_KEY"]
            // Credentials may come from files, a container or the instance: the region decides.
            case .bedrock: ["AWS_REGION"]
            // A server on this machine needs no key.
            case .openai: ["OPENAI_BASE_URL"]
            }
        }
    }

    /// Why a service has no client.
    public enum Unavailable: Sendable, Equatable, CustomStringConvertible {
        /// None of its credentials are set: the operator chose not to use it.
        case notConfigured(missing: [String])
        /// Some are set but not all, or a value is malformed: a mistake to fix.
        case misconfigured(String)

        public var description: String {
            switch self {
            case .notConfigured(let missing): "not configured (set \(missing.joined(separator: ", ")))"
            case .misconfigured(let why): why
            }
        }
    }

    public var github: GitHubClient?
    public var jira: JiraClient?
    public var slack: SlackClient?
    public var sentry: SentryClient?
    public var anthropic: AnthropicProvider?
    public var bedrock: BedrockProvider?
    public var openai: OpenAIProvider?
    /// The organization whose repositories `owner` defaults to.
    public var githubOrg: String?
    /// `TOWER_FORGE_DIR`: the local forge's root, when the agents use it instead of GitHub.
    public var forgeDirectory: String?
    public var jiraProject: String?
    public var slackChannel: String?
    /// Services without a client, and why.
    public var unavailable: [Service: Unavailable] = [:]

    /// Builds the clients the configuration allows, all sharing `http` (its retry policy and log).
    public init(configuration: Configuration, http: HTTPClient = HTTPClient()) {
        githubOrg = configuration["GITHUB_ORG"]
        forgeDirectory = configuration["TOWER_FORGE_DIR"]
        jiraProject = configuration["JIRA_PROJECT_KEY"]
        slackChannel = configuration["SLACK_CHANNEL_AGENTS"]
        let allowPlainHTTP = ["1", "true", "yes"].contains(configuration["TOWER_ALLOW_PLAIN_HTTP"]?.lowercased() ?? "")
        func value(_ key: String) -> String? { configuration.entries[key].flatMap { $0.source == .builtIn || $0.value.isEmpty ? nil : $0.value } }
        // What the URL check refuses, kept apart and merged at the end: a nested function that
        // mutated `self` inside this initializer lost its writes once the switch grew.
        var refused: [Service: Unavailable] = [:]
        defer { unavailable.merge(refused) { _, refusal in refusal } }
        for service in Service.allCases {
            let missing = service.credentialKeys.filter { value($0) == nil }
            if missing.count == service.credentialKeys.count {
                unavailable[service] = .notConfigured(missing: missing)
                continue
            }
            if !missing.isEmpty {
                unavailable[service] = .misconfigured("\(service.title) is half configured: \(missing.joined(separator: ", ")) not set")
                continue
            }
            func url(_ key: String) -> URL? {
                guard let text = configuration[key], let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                    let host = url.host
                else {
                    refused[service] = .misconfigured("\(service.title) is misconfigured: \(key) is not an http(s) URL")
                    return nil
                }
                // A credential over plain http can be read on the way; only this machine is exempt.
                if scheme == "http", !Self.isLoopback(host), !allowPlainHTTP {
                    refused[service] = .misconfigured(
                        "\(service.title) is misconfigured: \(key) is plain http to \(host), so the credentials would travel unencrypted; use https, or set TOWER_ALLOW_PLAIN_HTTP=1")
                    return nil
                }
                return url
            }
            switch service {
            case .github:
                guard let base = url("GITHUB_API_URL") else { continue }
                github = GitHubClient(baseURL: base, token: value("GITHUB_TOKEN")!, http: http)
            case .jira:
                guard let base = url("JIRA_BASE_URL") else { continue }
                jira = JiraClient(baseURL: base, email: value("JIRA_EMAIL")!, token: value("JIRA_API_TOKEN")!, http: http)
            case .slack:
                guard let base = url("SLACK_API_URL") else { continue }
                slack = SlackClient(baseURL: base, token: value("SLACK_BOT_TOKEN")!, http: http)
            case .sentry:
                guard let base = url("SENTRY_URL") else { continue }
                sentry = SentryClient(baseURL: base, organization: value("SENTRY_ORG")!, token: value("SENTRY_AUTH_TOKEN")!, http: http)
            case .anthropic:
                guard let base = url("ANTHROPIC_BASE_URL") else { continue }
                anthropic = AnthropicProvider(apiKey: value("ANTHROPIC_API_KEY")!, baseURL: base, transport: http.transport, policy: http.policy, http: http)
            case .bedrock:
                var endpoint: URL?
                if value("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") != nil {
                    guard let url = url("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") else { continue }
                    endpoint = url
                }
                let authentication: BedrockProvider.Authentication
                if let key = value("AWS_BEARER_TOKEN_BEDROCK") {
                    authentication = .bearer(key)
                } else {
                    let names = ConfigKey.all.filter { $0.group == "Bedrock" }.map(\.name)
                    let environment = Dictionary(uniqueKeysWithValues: names.compactMap { name in value(name).map { (name, $0) } })
                    authentication = .sigV4(AWSCredentialChain(environment: environment, transport: http.transport))
                }
                bedrock = BedrockProvider(
                    region: value("AWS_REGION")!, endpoint: endpoint, authentication: authentication, transport: http.transport, policy: http.policy, http: http)
            case .openai:
                guard let base = url("OPENAI_BASE_URL") else { continue }
                let key = value("OPENAI_API_KEY")
                if key == nil, !Self.isLoopback(base.host ?? "") {
                    unavailable[service] = .misconfigured("OpenAI-compatible is misconfigured: OPENAI_API_KEY is not set, and only a server on this machine may go without one")
                    continue
                }
                openai = OpenAIProvider(baseURL: base, apiKey: key, transport: http.transport, policy: http.policy, http: http)
            }
        }
    }

    /// This machine: `localhost`, 127.0.0.0/8 or ::1.
    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return name == "localhost" || name.hasSuffix(".localhost") || name.hasPrefix("127.") || name == "::1"
    }

    /// The client for a service, or an error saying why there is none.
    public func require<Client>(_ service: Service, _ client: Client?) throws -> Client {
        if let client { return client }
        throw GatewayError.unavailable(service, unavailable[service] ?? .notConfigured(missing: service.credentialKeys))
    }
}

/// Why the gateway could not do what was asked.
public enum GatewayError: Error, Equatable, CustomStringConvertible {
    case unavailable(Gateway.Service, Gateway.Unavailable)

    public var description: String {
        switch self {
        case .unavailable(let service, .notConfigured(let missing)): "\(service.title) is not configured (set \(missing.joined(separator: ", ")))"
        case .unavailable(_, .misconfigured(let why)): why
        }
    }
}
