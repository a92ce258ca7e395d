import Foundation
import HTTPTypes
import Testing
import TowerCore
import TowerNet
import TowerStore
import TowerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The original's metrics and alarms, checked by Prometheus's own tools (Debian's `prometheus`
/// package, installed by scripts/bootstrap): promtool checks and unit-tests docs/alerts.yml, and
/// a real Prometheus server scrapes the real `tower serve`.
@Suite(.serialized) struct PrometheusTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs")
    let http = HTTPClient(policy: RetryPolicy(maxAttempts: 1), requestTimeout: 20)

    @Test func theAlertRulesPassPromtoolsCheckAndTheirUnitTests() async throws {
        let rules = Self.docs.appendingPathComponent("alerts.yml").path, tests = Self.docs.appendingPathComponent("alerts.test.yml").path
        for arguments in [["check", "rules", rules], ["test", "rules", tests]] {
            let promtool = try ChildProcess(URL(fileURLWithPath: "/usr/bin/promtool"), arguments)
            let status = await promtool.wait(timeout: 60)
            #expect(status == 0, "promtool \(arguments.joined(separator: " ")):\n\(promtool.output.joined(separator: "\n"))\n\(promtool.errorOutput)")
            #expect(promtool.output.contains { $0.contains("SUCCESS") })
        }
    }

    @Test func aPrometheusServerScrapesServeAndSeesTheOriginalsSeries() async throws {
        let root = TemporaryDirectory.make("prometheus")
        let state = root.appendingPathComponent("state")
        // Two tasks before the listener starts: one at its last step (it completes: nothing is
        // configured, so its notices stay in the outbox), one new (Discovery has no forge or
        // model configured here, so it fails for good).
        do {
            let store = try SQLiteStore(directory: state)
            let actor = Actor(user: "test", channel: .cli)
            var finishing = TowerTask.new(ticketId: "PROM-1", title: "finishing", description: "", source: .cli, now: Date())
            finishing.status = .ciMonitoring
            finishing.step = .completion
            try await store.insertTask(finishing, event: nil, actor: actor)
            try await store.insertTask(TowerTask.new(ticketId: "PROM-2", title: "new", description: "", source: .cli, now: Date()), event: nil, actor: actor)
        }
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("TOWER_") || key.hasSuffix("_SECRET") || key.hasSuffix("_TOKEN") || key.hasSuffix("_API_KEY") {
            environment[key] = nil
        }
        environment["HOME"] = root.path
        let serve = try ChildProcess(BuiltProducts.url("tower"), ["serve", "--state-dir", state.path, "--port", "0"], environment: environment)
        defer { serve.kill() }
        #expect(await serve.waitForLines(timeout: 30) { $0.contains("listening on 127.0.0.1:") }, "\(serve.errorOutput)")
        let line = serve.output.first { $0.contains("listening on 127.0.0.1:") } ?? ""
        let servePort = line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0

        // Prometheus on loopback, scraping every second, with the alert rules loaded.
        let prometheusPort = try Self.freePort()
        let config = root.appendingPathComponent("prometheus.yml")
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - \(Self.docs.appendingPathComponent("alerts.yml").path)
        scrape_configs:
          - job_name: tower
            static_configs:
              - targets: ['127.0.0.1:\(servePort)']
        """.write(to: config, atomically: true, encoding: .utf8)
        let prometheus = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/prometheus"),
            [
                "--config.file=\(config.path)", "--storage.tsdb.path=\(root.appendingPathComponent("tsdb").path)",
                "--web.listen-address=127.0.0.1:\(prometheusPort)", "--web.enable-lifecycle",
            ], environment: nil)
        defer { prometheus.kill() }
        let api = URL(string: "http://127.0.0.1:\(prometheusPort)/api/v1/")!

        // The finishing task completes and the new one starts and fails; Prometheus sees both.
        let deadline = Date().addingTimeInterval(90)
        var completed: [[String: Any]] = []
        while Date() < deadline {
            completed = (try? await query(api, "tower_tasks_completed_total")) ?? []
            let failed = (try? await query(api, "tower_tasks_failed_total")) ?? []
            if Self.value(completed) == 1, Self.value(failed) == 1 { break }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        let labels = completed.first?["metric"] as? [String: String] ?? [:]
        #expect(labels["job"] == "tower" && labels["instance"] == "127.0.0.1:\(servePort)", "\(completed)\n\(serve.errorOutput)\n\(prometheus.errorOutput.suffix(2000))")
        #expect(Self.value(completed) == 1)
        #expect(Self.value(try await query(api, "tower_tasks_started_total")) == 1)
        #expect(Self.value(try await query(api, "tower_tasks_failed_total")) == 1)
        // Every series of the original's set is there, at zero when nothing happened.
        for name in ["tower_ci_fix_attempts_total", "tower_escalations_total"] {
            #expect(Self.value(try await query(api, name)) == 0, "\(name)")
        }
        let steps = try await query(api, "tower_step_duration_seconds_count")
        let stepNames = Set(steps.compactMap { ($0["metric"] as? [String: String])?["step"] })
        #expect(stepNames.isSuperset(of: ["completion", "discovery"]), "\(steps)")
        #expect(Self.value(try await query(api, #"tower_tasks{status="completed"}"#)) == 1)
        #expect(Self.value(try await query(api, "tower_approvals_waiting")) == 0)
        let lease = try await query(api, "tower_engine_lease_held")
        #expect((lease.first?["metric"] as? [String: String])?["holder"]?.contains(":\(serve.pid):") == true, "\(lease)")

        // The rules loaded, and each evaluates without error.
        let rules = try await get(api.appendingPathComponent("rules"))
        let groups = ((rules["data"] as? [String: Any])?["groups"] as? [[String: Any]]) ?? []
        let loaded = groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
        #expect(loaded.count == 7)
        let unhealthy = loaded.filter { ($0["health"] as? String) == "err" }.map { "\($0["name"] ?? "?"): \($0["lastError"] ?? "")" }
        #expect(unhealthy.isEmpty, "\(unhealthy)")
    }

    /// The result of an instant query: one entry per series, with `metric` and `value`.
    func query(_ api: URL, _ expression: String) async throws -> [[String: Any]] {
        var components = URLComponents(url: api.appendingPathComponent("query"), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "query", value: expression)]
        let body = try await get(components.url!)
        return ((body["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
    }

    func get(_ url: URL) async throws -> [String: Any] {
        let response = try await http.send(HTTPClientRequest(method: .get, url: url))
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
    }

    /// The single series' value (`[time, "value"]`), or nil when there is not exactly one.
    static func value(_ result: [[String: Any]]) -> Double? {
        guard result.count == 1, let pair = result[0]["value"] as? [Any], pair.count == 2, let text = pair[1] as? String else { return nil }
        return Double(text)
    }

    /// A loopback port nobody listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
