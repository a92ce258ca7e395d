import Foundation
import TowerLLM
import TowerNet
import TowerServices

/// One service's answer to `tower doctor`.
public struct HealthCheck: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case ok
        case failed
        case notConfigured = "not configured"
    }

    public var service: Gateway.Service
    public var status: Status
    /// How long the checking calls took, in milliseconds.
    public var latencyMs: Int?
    public var headroom: RateHeadroom?
    /// Who Tower acts as there.
    public var identity: String?
    /// The service's own error message, or why the service is not configured.
    public var message: String?

    public init(service: Gateway.Service, status: Status, latencyMs: Int? = nil, headroom: RateHeadroom? = nil, identity: String? = nil, message: String? = nil) {
        self.service = service
        self.status = status
        self.latencyMs = latencyMs
        self.headroom = headroom
        self.identity = identity
        self.message = message
    }
}

/// Checks every integration with one cheap authenticated call each, all at once: GitHub's
/// `/rate_limit` and `/user`, Jira's `/myself`, Slack's `auth.test`, Sentry's organization,
/// Anthropic's model list, Bedrock's foundation models, an OpenAI-compatible server's models.
public enum Doctor {
    public static func check(_ gateway: Gateway) async -> [HealthCheck] {
        await withTaskGroup(of: HealthCheck.self) { group in
            for service in Gateway.Service.allCases {
                group.addTask { await check(service, in: gateway) }
            }
            var checks: [HealthCheck] = []
            for await check in group { checks.append(check) }
            return checks.sorted { Gateway.Service.allCases.firstIndex(of: $0.service)! < Gateway.Service.allCases.firstIndex(of: $1.service)! }
        }
    }

    static func check(_ service: Gateway.Service, in gateway: Gateway) async -> HealthCheck {
        if let why = gateway.unavailable[service] {
            if case .notConfigured(let missing) = why { return HealthCheck(service: service, status: .notConfigured, message: "set \(missing.joined(separator: ", "))") }
            return HealthCheck(service: service, status: .failed, message: why.description)
        }
        let started = ContinuousClock.now
        do {
            let identity: ServiceIdentity
            switch service {
            case .github: identity = try await gateway.require(service, gateway.github).whoAmI()
            case .jira: identity = try await gateway.require(service, gateway.jira).myself()
            case .slack: identity = try await gateway.require(service, gateway.slack).authTest()
            case .sentry: identity = try await gateway.require(service, gateway.sentry).getOrganization()
            case .bedrock:
                let access = try await gateway.require(service, gateway.bedrock).checkAccess()
                identity = ServiceIdentity(identity: "\(access.credentials) in \(access.region) (\(access.models) Anthropic model\(access.models == 1 ? "" : "s"))", headroom: nil)
            case .openai:
                let models = try await gateway.require(service, gateway.openai).listModels()
                identity = ServiceIdentity(identity: "\(models.count) model\(models.count == 1 ? "" : "s")\(models.first.map { " (\($0)…)" } ?? "")", headroom: nil)
            case .anthropic:
                let models = try await gateway.require(service, gateway.anthropic).listModels()
                identity = ServiceIdentity(
                    identity: "API key\(models.organization.map { " of organization \($0)" } ?? "") (\(models.models.count) models)",
                    headroom: models.requestsRemaining.map { RateHeadroom(remaining: $0, limit: models.requestsLimit) })
            }
            return HealthCheck(service: service, status: .ok, latencyMs: milliseconds(since: started), headroom: identity.headroom, identity: identity.identity)
        } catch {
            return HealthCheck(service: service, status: .failed, latencyMs: milliseconds(since: started), message: "\(error)")
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
