import Foundation
import Testing
import TowerCore
import TowerDemo
import TowerEngine
import TowerResources
import TowerStore
import TowerTestSupport

@testable import TowerAgents

/// The demo's recordings are checked against the prompts this build ships: a prompt changed
/// without recording again is a loud failure that names the call, never a wrong answer.
@Suite struct DemoRecordingTests {
    /// Runs the demo's task until it stops moving; returns it.
    private func runDemo(prompts: PromptLibrary? = nil) async throws -> (TowerTask, SQLiteStore) {
        let site = DemoSite(root: TemporaryDirectory.make("demo-replay"))
        let store = try SQLiteStore(directory: site.stateDirectory)
        try await site.prepare(store: store)
        var services = site.services(store: store, configuration: site.configuration(ciPollInterval: 0.05))
        if let prompts { services.prompts = prompts }
        let engine = Engine(store: store, workflow: Workflow.agents(services))
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let (task, _) = try await site.task(store: store, by: Actor(user: "test", channel: .api))
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let now = try #require(try await store.task(id: task.id))
            if now.status == .awaitingApproval || now.status.isTerminal { return (now, store) }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        Issue.record("the demo's task did not stop moving")
        return (task, store)
    }

    @Test func theShippedRecordingsAnswerDiscoveryAndPlanning() async throws {
        let (task, store) = try await runDemo()
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        #expect(try await store.llmCalls(taskId: task.id).map(\.purpose) == ["discovery keywords", "discovery approach", "plan"])
    }

    @Test func aChangedPromptFailsTheReplayNamingTheCallAndWhatChanged() async throws {
        let overrides = TemporaryDirectory.make("demo-prompts")
        let shipped = try #require(Bundled.text("prompts/planning/task.md"))
        try FileManager.default.createDirectory(at: overrides.appendingPathComponent("planning"), withIntermediateDirectories: true)
        try (shipped + "\nKeep every task under two hours.\n").write(to: overrides.appendingPathComponent("planning/task.md"), atomically: true, encoding: .utf8)

        let (task, _) = try await runDemo(prompts: PromptLibrary(directories: [overrides]))
        #expect(task.status == .failed)
        #expect(task.failedStep == .planning)
        let error = task.lastError ?? ""
        #expect(error.contains("no recorded answer for the call “plan”"), "\(error)")
        #expect(error.contains("plan.json") && error.contains("message 1 changed") && !error.contains("system prompt"), "\(error)")
    }
}
