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
    /// The environment and state directory of a `tower-test-worker agents` process over `world`.
    static func worker(_ world: AgentWorld) -> (environment: [String: String], state: String) {
        var environment = ProcessInfo.processInfo.environment.merging(world.environment) { _, new in new }
        environment["TOWER_CONFIG"] = world.directory.appendingPathComponent("none.toml").path
        environment["TOWER_PROMPTS_DIR"] = AgentWorld.shippedPrompts.path
        return (environment, world.directory.appendingPathComponent("state").path)
    }

    @Test func killedAfterTheFirstPlanTaskThenRestartedRedoesNothing() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        let root = try await world.localForge().root
        let planned = try await world.run(title: "Reduced VAT for books", description: ExecutionEndToEndTests.description)
        #expect(planned.status == .awaitingApproval)
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        world.anthropic.hold { CodeScript.task($0)?.number == 2 }

        let (environment, state) = Self.worker(world)
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

    /// Killed while plan task 1's second attempt (the one fed its first failure) waits for the
    /// model: the next engine says it took over, and resumes plan task 1 at attempt 2 with the
    /// same failure, instead of asking for attempt 1 again.
    @Test func killedInTheSecondAttemptOfAPlanTaskResumesAtThatAttempt() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        try await world.localForge()
        let planned = try await world.run(title: "Reduced VAT for books", description: ExecutionEndToEndTests.description)
        #expect(planned.status == .awaitingApproval)
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        world.anthropic.hold { CodeScript.task($0).map { $0.number == 1 && $0.retry } ?? false }

        let (environment, state) = Self.worker(world)
        let first = try ChildProcess(BuiltProducts.url("tower-test-worker"), ["agents", "--state-dir", state], environment: environment)
        let deadline = Date().addingTimeInterval(90)
        func onAttemptTwo() async throws -> Bool {
            try await world.store.events(taskId: planned.id, after: nil, limit: nil).contains { $0.message.hasPrefix("plan-task 1: ") && $0.message.hasSuffix("(attempt 2 of 3)") }
        }
        while try await !onAttemptTwo(), Date() < deadline {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(try await onAttemptTwo())
        try await Task.sleep(nanoseconds: 300_000_000)
        first.kill()
        let askedBefore = world.anthropic.requests.filter { CodeScript.task($0)?.number == 1 }.count
        #expect(askedBefore == 1, "attempt 1 was answered; attempt 2 is held")
        world.anthropic.hold(nil)

        let second = try ChildProcess(BuiltProducts.url("tower-test-worker"), ["agents", "--state-dir", state], environment: environment)
        let status = await second.wait(timeout: 120)
        #expect(status == 0, "\(second.output.joined(separator: "\n"))\n\(second.errorOutput)")
        let task = try #require(try await world.store.task(id: planned.id))
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")
        #expect(log.contains("plan-task 1: resuming at attempt 2 of 3, where the last engine stopped"), "\(log)")
        #expect(log.contains("execution attempt 1 of 3 on ") && log.contains("was cut short (its engine stopped);") && log.contains(" takes over at attempt 1"), "\(log)")
        // Attempt 1 once, the held attempt 2 (answered to nobody once released), attempt 2 again
        // with the same failure fed back: never attempt 1 twice.
        let taskOne = world.anthropic.requests.filter { CodeScript.task($0)?.number == 1 }
        #expect(taskOne.count == 3)
        #expect(taskOne.filter { CodeScript.task($0)?.retry == false }.count == 1)
        #expect(AnthropicStandIn.promptText(taskOne.last!).contains("## Previous attempt (attempt 2 now)"))
    }
}

