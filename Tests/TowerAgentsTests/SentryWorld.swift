import Foundation
import TowerAgents
import TowerConfig
import TowerGateway
import TowerHTTPTestSupport
import TowerNet
import TowerStore
import TowerTestSupport

/// Sentry, Jira and Slack stand-ins on one test server, a store, and the monitor over them.
final class SentryWorld: @unchecked Sendable {
    let sentry = SentryStandIn()
    let chat = TicketAndChat()
    let server: TestServer
    /// Every request the stand-ins received.
    let requests: RequestLog
    let directory: URL
    let store: SQLiteStore
    var environment: [String: String]

    init(_ projects: [(String, [SentryStandIn.Issue])]) async throws {
        let sentry = sentry, chat = chat
        let requests = RequestLog()
        self.requests = requests
        server = try await TestServer.start(recording: requests) { router in
            sentry.routes(router)
            chat.routes(router)
        }
        sentry.base = server.base
        for (slug, issues) in projects { sentry.addProject(slug, issues: issues) }
        directory = TemporaryDirectory.make("tower-sentry")
        store = try SQLiteStore(directory: directory.appendingPathComponent("state"))
        environment = ServiceStandIns.environment(base: server.base)
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func services() throws -> AgentServices {
        let configuration = try Configuration.load(
            environment: environment, dotEnvPath: directory.appendingPathComponent("none.env").path, configPath: directory.appendingPathComponent("none.toml").path)
        let gateway = Gateway(configuration: configuration, http: HTTPClient(policy: RetryPolicy(maxAttempts: 3, maximumWait: 5), requestTimeout: 20))
        return AgentServices.configured(configuration, gateway: gateway, store: store, prompts: .bundled)
    }

    /// The monitor, with its clock at `now` when given.
    func monitor(at now: Date? = nil) throws -> SentryMonitor {
        let clock: @Sendable () -> Date
        if let now { clock = { now } } else { clock = { Date() } }
        return SentryMonitor(services: try services(), store: store, now: clock) { _ in }
    }
}
