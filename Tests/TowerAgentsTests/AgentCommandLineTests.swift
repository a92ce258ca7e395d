import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestSupport

/// `tower run`, `tower discover` and `tower config` as an operator runs them: the real binary,
/// the local forge over real bare repositories, the Anthropic stand-in.
@Suite(.serialized) struct AgentCommandLineTests {
    /// The fixture organization in a local forge, and an environment that points `tower` at it.
    func setUp(_ world: AgentWorld, llm: Bool = true) async throws -> [String: String] {
        let root = try await world.localForge().root
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("GITHUB_") || key.hasPrefix("JIRA_") || key.hasPrefix("SLACK_") || key.hasPrefix("ANTHROPIC_") || key.hasPrefix("TOWER_LLM") {
            environment[key] = nil
        }
        environment["GITHUB_ORG"] = "acme"
        environment["TOWER_FORGE_DIR"] = root.path
        environment["TOWER_HOME"] = world.directory.appendingPathComponent("state").path
        environment["TOWER_CONFIG"] = world.directory.appendingPathComponent("none.toml").path
        if llm {
            environment["ANTHROPIC_API_KEY"] = world.environment["ANTHROPIC_API_KEY"]
            environment["ANTHROPIC_BASE_URL"] = world.environment["ANTHROPIC_BASE_URL"]
        }
        return environment
    }

    @Test func runFollowsTheTaskUntilItWaitsForApprovalAndExitsZero() async throws {
        let world = try await AgentWorld()
        let environment = try await setUp(world)
        let run = try await ChildProcess.run(
            BuiltProducts.url("tower"), ["run", "--description", "VAT is wrong for reduced-rate items\ncompute_vat applies the standard rate to books.", "--env-file", "/nonexistent/.env"],
            environment: environment, timeout: 90)
        #expect(run.status == 0, "\(run.out)\n\(run.err)")
        #expect(run.out.contains("discovery started"))
        #expect(run.out.contains("billing-service"))
        #expect(run.out.contains("PLAN.md committed on acme/billing-service@ai/"))
        #expect(run.out.contains("slack approval_request not sent: Slack is not configured"))
        #expect(run.out.contains("waits for approval: tower agent approve"))
        let task = try #require(try await world.store.tasks(status: nil, limit: nil).first)
        #expect(task.status == .awaitingApproval && task.title == "VAT is wrong for reduced-rate items")
        // Released: the next engine starts at once.
        #expect(try await world.store.lease() == nil)
    }

    /// `tower run --log-format json`: every line of its output is a JSON object; the task's
    /// lines carry its id, and the planted secret (the Anthropic key) is in none.
    @Test func runWritesJSONLinesWhenAsked() async throws {
        let world = try await AgentWorld()
        var environment = try await setUp(world)
        environment["TOWER_LOG_FORMAT"] = "json"
        let run = try await ChildProcess.run(
            BuiltProducts.url("tower"), ["run", "--description", "VAT is wrong for reduced-rate items\ncompute_vat applies the standard rate to books.", "--env-file", "/nonexistent/.env"],
            environment: environment, timeout: 90)
        #expect(run.status == 0, "\(run.out)\n\(run.err)")
        let lines = run.out.split(separator: "\n").map(String.init)
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!lines.isEmpty && objects.count == lines.count, "every line is a JSON object:\n\(run.out)")
        let task = try #require(try await world.store.tasks(status: nil, limit: nil).first)
        #expect(objects.first?["event"] as? String == "task_started" && objects.first?["task_id"] as? String == task.id)
        let logged = objects.filter { $0["event"] as? String == "agent_log" }
        #expect(logged.count > 5 && logged.allSatisfy { $0["task_id"] as? String == task.id && $0["agent"] != nil && $0["message"] != nil })
        #expect(logged.contains { ($0["message"] as? String)?.contains("PLAN.md committed on acme/billing-service@ai/") == true })
        #expect(objects.contains { $0["event"] as? String == "approval_requested" && $0["task_id"] as? String == task.id })
        #expect(!run.out.contains(world.environment["ANTHROPIC_API_KEY"] ?? "unset"))
    }

    @Test func runQueuesForTheEngineThatHoldsTheLeaseAndTakesOverWhenItDies() async throws {
        let world = try await AgentWorld()
        let environment = try await setUp(world)
        // Another engine holds the lease, then dies without renewing it.
        let other = LeaseClaim(holder: "jump-host:4242:dead", pid: 4242, host: "jump-host")
        #expect(try await world.store.acquireLease(other, ttl: 3, now: Date()))
        let run = try await ChildProcess.run(
            BuiltProducts.url("tower"), ["run", "--description", "Shorter token lifetime: make TokenTTL configurable", "--env-file", "/nonexistent/.env"],
            environment: environment, timeout: 90)
        #expect(run.status == 0, "\(run.out)\n\(run.err)")
        #expect(run.out.contains("queued for the engine in pid 4242 on jump-host"))
        #expect(run.out.contains("waits for approval"))
    }

    @Test func runPinnedToARepositoryKeepsItAndAFailureExitsFour() async throws {
        let world = try await AgentWorld()
        var environment = try await setUp(world, llm: false)
        let arguments = ["run", "--description", "Shorter token lifetime: make TokenTTL configurable", "--repo", "acme/auth-service", "--env-file", "/nonexistent/.env"]
        // Without a model, nothing is started, and the missing model is named.
        let refused = try await ChildProcess.run(BuiltProducts.url("tower"), arguments, environment: environment, timeout: 90)
        #expect(refused.status == 1 && refused.err.contains("  - a language model: "), "\(refused.out)\n\(refused.err)")
        #expect(try await world.store.tasks(status: nil, limit: nil).isEmpty)
        // With recordings that have no answer for it: the first model call fails, says why, and exits 4.
        let recordings = world.directory.appendingPathComponent("no-recordings")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        environment["TOWER_LLM_REPLAY"] = recordings.path
        let run = try await ChildProcess.run(BuiltProducts.url("tower"), arguments, environment: environment, timeout: 90)
        #expect(run.status == 4, "\(run.out)\n\(run.err)")
        #expect(run.out.contains("discovery failed") && run.out.contains("no recorded answer for the call “discovery keywords”"), "\(run.out)")
        #expect(run.out.contains("tower agent retry"))
        environment["TOWER_LLM_REPLAY"] = nil
        let task = try #require(try await world.store.tasks(status: nil, limit: nil).first)
        #expect(task.repository == "acme/auth-service" && task.failedStep == .discovery)

        environment["GITHUB_ORG"] = nil
        let config = try await ChildProcess.run(BuiltProducts.url("tower"), ["config", "--env-file", "/nonexistent/.env"], environment: environment)
        #expect(config.out.contains("forge      local forge at \(world.directory.appendingPathComponent("forge").path) (owner unset: set GITHUB_ORG)"), "\(config.out)")
        #expect(config.out.contains("model      none: Discovery ranks lexically"))
        let doctor = try await ChildProcess.run(BuiltProducts.url("tower"), ["doctor", "--env-file", "/nonexistent/.env"], environment: environment)
        #expect(doctor.out.contains("forge: local forge at"), "\(doctor.out)")
    }

    @Test func cicdClassifyReadsAJobLogOrARunsZip() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ci")
        let directory = TemporaryDirectory.make("tower-classify")
        defer { try? FileManager.default.removeItem(at: directory) }
        // A run's zip: each job's whole log at the top, its steps again in a folder.
        let zip = directory.appendingPathComponent("logs.zip")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("lint"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("black.log"), to: directory.appendingPathComponent("0_lint.txt"))
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("black.log"), to: directory.appendingPathComponent("lint/3_black.txt"))
        let zipped = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["sh", "-c", "cd \(directory.path) && python3 -m zipfile -c logs.zip 0_lint.txt lint"])
        #expect(zipped.status == 0, "\(zipped.err)")
        let fromZip = try await ChildProcess.run(BuiltProducts.url("tower"), ["cicd", "classify", zip.path])
        #expect(fromZip.status == 0, "\(fromZip.err)")
        let json = try JSONSerialization.jsonObject(with: Data(fromZip.out.utf8)) as? [String: Any]
        #expect(json?["classes"] as? [String] == ["black"])
        #expect(json?["autoFixable"] as? Bool == true)
        #expect(json?["fixCommands"] as? [String] == ["black ."])
        #expect((json?["excerpt"] as? String)?.components(separatedBy: "$ black --check .").count == 2, "the step copy is not counted twice")

        let mixed = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["sh", "-c", "'\(BuiltProducts.url("tower").path)' cicd classify < '\(fixtures.appendingPathComponent("black-and-pytest.log").path)'"])
        #expect(mixed.out.contains("\"test_failure\"") && mixed.out.contains("\"autoFixable\" : false"))
    }

    @Test func discoverPrintsTheOriginalsJSONWithoutCreatingATask() async throws {
        let world = try await AgentWorld()
        let environment = try await setUp(world)
        let run = try await ChildProcess.run(
            BuiltProducts.url("tower"), ["discover", "Billing client should retry on 503\nBillingClient gives up at once; retry up to MAX_RETRIES.", "--no-llm", "--env-file", "/nonexistent/.env"],
            environment: environment, timeout: 60)
        #expect(run.status == 0, "\(run.err)")
        let json = try JSONDecoder().decode(DiscoveryResult.self, from: Data(run.out.utf8))
        #expect(json.rankedRepos.first?.name == "billing-client")
        #expect(json.rankedRepos.first?.files.first?.path == "billing_client/client.py")
        #expect(json.crossRepoDependencies.contains(DiscoveryResult.Dependency(from: "billing-client", to: "billing-service", type: "API")))
        #expect(run.err.contains("searches"))
        #expect(world.anthropic.requests.isEmpty)
        #expect(try await world.store.tasks(status: nil, limit: nil).isEmpty)

        let nothing = try await ChildProcess.run(
            BuiltProducts.url("tower"), ["discover", "Quaternion slerp drifts", "--no-llm", "--env-file", "/nonexistent/.env"], environment: environment, timeout: 60)
        #expect(nothing.status == 1)
        #expect(nothing.err.contains("nothing in acme matches the ticket"))
        #expect(nothing.out.isEmpty)
    }
}
