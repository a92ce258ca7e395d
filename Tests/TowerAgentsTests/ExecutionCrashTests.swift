import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestSupport

/// An engine process killed with SIGKILL in the middle of Execution, after the first plan task
/// was committed and while the second is being written; a new process finishes the task without
/// regenerating or recommitting the first, and every commit and notice exists once.
@Suite(.serialized) struct ExecutionCrashTests {
    @Test func killedAfterTheFirstPlanTaskThenRestartedRedoesNothing() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        let root = try await world.localForge().root
        let planned = try await world.run(title: "Reduced VAT for books", description: ExecutionEndToEndTests.description)
        #expect(planned.status == .awaitingApproval)
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        world.anthropic.hold { CodeScript.task($0)?.number == 2 }

        var environment = ProcessInfo.processInfo.environment.merging(world.environment) { _, new in new }
        environment["TOWER_CONFIG"] = world.directory.appendingPathComponent("none.toml").path
        environment["TOWER_PROMPTS_DIR"] = AgentWorld.shippedPrompts.path
        let state = world.directory.appendingPathComponent("state").path
        let gitDir = root.appendingPathComponent("acme/billing-service.git").path
        func subjects() async throws -> [String] {
            let branch = try await ProcessRunner().run("git", ["--git-dir", gitDir, "for-each-ref", "--format=%(refname:short)", "refs/heads/ai/"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return try await ProcessRunner().run("git", ["--git-dir", gitDir, "log", "--reverse", "--format=%s", "main..\(branch)"]).output
                .split(separator: "\n").map(String.init)
        }

        let first = try ChildProcess(BuiltProducts.url("tower-test-worker"), ["agents", "--state-dir", state], environment: environment)
        let deadline = Date().addingTimeInterval(90)
        while try await subjects().count < 2 && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        // Task 1 is committed and task 2's call is held: kill -9 now.
        try await Task.sleep(nanoseconds: 300_000_000)
        first.kill()
        #expect(try await subjects() == ["docs: PLAN.md for \(planned.id)", "feat(\(planned.id)): 1. Write tests for reduced rates"], "\(first.output.joined(separator: "\n"))")
        #expect(try await world.store.task(id: planned.id)?.status == .executing)
        let taskOneCalls = world.anthropic.requests.filter { CodeScript.task($0)?.number == 1 }.count
        #expect(taskOneCalls == 2)
        world.anthropic.hold(nil)

        let second = try ChildProcess(BuiltProducts.url("tower-test-worker"), ["agents", "--state-dir", state], environment: environment)
        let status = await second.wait(timeout: 120)
        #expect(status == 0, "\(second.output.joined(separator: "\n"))\n\(second.errorOutput)")
        let task = try #require(try await world.store.task(id: planned.id))
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")
        #expect(log.contains("plan-task 1 (1. Write tests for reduced rates) is already committed"))
        // Task 1 was not asked for again, and every commit is there once.
        #expect(world.anthropic.requests.filter { CodeScript.task($0)?.number == 1 }.count == taskOneCalls)
        #expect(
            try await subjects() == [
                "docs: PLAN.md for \(task.id)", "feat(\(task.id)): 1. Write tests for reduced rates", "feat(\(task.id)): 2. Add reduced rates to VAT_RATES",
                "feat(\(task.id)): 3. Pass the item category through", "ci: auto-fix black",
            ])
        let kinds = try await world.store.outbox(taskId: task.id).map(\.kind).sorted()
        #expect(kinds == ["approval_request", "ci_passed", "completed"])
        #expect(world.chat.messages.count == 3)
    }
}
