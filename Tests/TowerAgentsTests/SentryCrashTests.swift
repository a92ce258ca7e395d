import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerStore
import TowerTestSupport

/// A Sentry pass killed with SIGKILL after Jira created the bug and before the fingerprint was
/// recorded: the next pass, in a new process, finds the bug through its fingerprint line and
/// files no twin.
@Suite(.serialized) struct SentryCrashTests {
    @Test func killedBetweenTheJiraCreateAndTheRecordThereIsStillOneBug() async throws {
        let world = try await SentryWorld([("web", [.init(id: "8001", title: "OperationalError: database is locked", level: "error", events: 64)])])
        var environment = ProcessInfo.processInfo.environment.merging(world.environment) { _, new in new }
        environment["TOWER_CONFIG"] = world.directory.appendingPathComponent("none.toml").path
        let state = world.directory.appendingPathComponent("state").path
        world.chat.holdCreates(true)

        let first = try ChildProcess(BuiltProducts.url("tower-test-worker"), ["sentry-pass", "--state-dir", state], environment: environment)
        let deadline = Date().addingTimeInterval(60)
        while world.chat.createdKeys.isEmpty && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        // Jira has created the bug; its answer is held, so the fingerprint is not recorded: kill -9.
        #expect(world.chat.createdKeys.count == 1, "\(first.output.joined(separator: "\n"))\n\(first.errorOutput)")
        first.kill()
        _ = await first.wait(timeout: 10)
        world.chat.holdCreates(false)
        let claim = try #require(try await world.store.fingerprint("8001", at: Date()))
        #expect(claim.ticketId == nil)
        #expect(try await world.store.sentryPasses(trigger: nil, limit: 5).first?.finishedAt == nil)

        let second = try await ChildProcess.run(BuiltProducts.url("tower-test-worker"), ["sentry-pass", "--state-dir", state], environment: environment)
        #expect(second.status == 0, "\(second.out)\n\(second.err)")
        #expect(second.out.contains("pass created 0 deduplicated 1 failed 0"), "\(second.out)")
        #expect(world.chat.createdKeys.count == 1)
        #expect(try await world.store.fingerprint("8001", at: Date())?.ticketId == world.chat.createdKeys.first)
        // The dead pass never told Slack; the pass that settled the claim did, once.
        #expect(world.chat.messages.count == 1)
        #expect((world.chat.messages.first?["text"] as? String)?.contains(world.chat.createdKeys.first ?? "?") == true)
    }
}
