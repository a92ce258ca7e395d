import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestSupport

/// Halts of one repository or one task, beside the freeze: a running task stops before its next
/// outside effect, keeps its state, and `resume` takes it on from there, with no step run again
/// and nothing written twice.
@Suite(.serialized) struct PauseTests {
    static let dana = Actor(user: "dana", channel: .console)

    /// The subjects of the commits on the task's branch in `acme/billing-service`, oldest first.
    static func subjects(_ root: URL) async throws -> [String] {
        let gitDir = root.appendingPathComponent("acme/billing-service.git").path
        let branch = try await ProcessRunner().run("git", ["--git-dir", gitDir, "for-each-ref", "--format=%(refname:short)", "refs/heads/ai/"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !branch.isEmpty else { return [] }
        return try await ProcessRunner().run("git", ["--git-dir", gitDir, "log", "--reverse", "--format=%s", "main..\(branch)"]).output
            .split(separator: "\n").map(String.init)
    }

    @Test func aRepositoryPausedDuringExecutionStopsBeforeTheNextCommitAndResumeFinishesWithNoStepRepeated() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        let root = try await world.localForge().root
        let planned = try await world.run(title: "Reduced VAT for books", description: ExecutionEndToEndTests.description)
        #expect(planned.status == .awaitingApproval)
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        // Plan task 2's model call is held while the repository is paused: its answer comes
        // back after the pause, so the commit it leads to is the effect that must not happen.
        world.anthropic.hold { CodeScript.task($0)?.number == 2 }
        let engine = try world.startEngine()
        defer { engine.cancel() }
        let deadline = Date().addingTimeInterval(90)
        while try await Self.subjects(root).count < 2, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        // Task 1 is committed and task 2's call is held (a held request is recorded when answered).
        try await Task.sleep(nanoseconds: 300_000_000)

        let commands = OperatorCommands(store: world.store)
        let halt = try await commands.pause("Acme/Billing-Service", by: Self.dana)
        #expect(halt.scope == .repository && halt.name == "acme/billing-service")
        world.anthropic.hold(nil)

        // The task stops with a halt of its own that names the repository, its state kept.
        var halts: [Halt] = []
        let stopDeadline = Date().addingTimeInterval(60)
        while !halts.contains(where: { $0.name == planned.id }), Date() < stopDeadline {
            try await Task.sleep(nanoseconds: 20_000_000)
            halts = try await world.store.halts()
        }
        #expect(halts.contains(Halt(scope: .task, name: planned.id, by: "dana", channel: "console", at: halts.first { $0.name == planned.id }?.at ?? Date(), viaRepository: "acme/billing-service")))
        try await Task.sleep(nanoseconds: 300_000_000)
        let stopped = try #require(try await world.store.task(id: planned.id))
        #expect(stopped.status == .executing && stopped.step == .execution && stopped.worker == nil)
        #expect(try await Self.subjects(root) == ["docs: PLAN.md for \(planned.id)", "feat(\(planned.id)): 1. Write tests for reduced rates"])
        #expect(try await world.log(planned.id).contains("execution paused before commit on acme/billing-service: acme/billing-service (paused by dana via console)"))
        let taskOneCalls = world.anthropic.requests.filter { CodeScript.task($0)?.number == 1 }.count
        let callsWhilePaused = world.anthropic.requests.count
        // Paused, nothing more is asked or written, however long it waits.
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(world.anthropic.requests.count == callsWhilePaused)

        let outcome = try await commands.resume("acme/billing-service", by: Actor(user: "lee", channel: .cli))
        #expect(outcome.tasks == [planned.id])
        #expect(try await world.store.halts().isEmpty)
        let done = try await world.until(planned.id) { $0.status == .completed }
        let finalLog = try await world.log(planned.id)
        #expect(done.status == .completed, "\(done.lastError ?? "")\n\(finalLog)")
        #expect(
            try await Self.subjects(root) == [
                "docs: PLAN.md for \(planned.id)", "feat(\(planned.id)): 1. Write tests for reduced rates", "feat(\(planned.id)): 2. Add reduced rates to VAT_RATES",
                "feat(\(planned.id)): 3. Pass the item category through", "ci: auto-fix black",
            ])
        // No step ran again: one Discovery, one Planning, one Execution began; plan task 1 was not asked again.
        let begun = try await world.store.milestones(taskId: planned.id).map(\.message).filter { $0.contains("started") || $0.contains("began") }
        #expect(world.anthropic.requests.filter { CodeScript.task($0)?.number == 1 }.count == taskOneCalls)
        let log = try await world.log(planned.id)
        #expect(log.components(separatedBy: "plan-task 1 (1. Write tests for reduced rates) is already committed").count == 2, "\(begun)")
        for step in ["discovery", "planning"] {
            #expect(try await world.store.phaseResult(taskId: planned.id, step: StepKind(rawValue: step)!, cycle: 0) != nil)
        }
        // Both decisions are in the audit trail, with who and where.
        let decisions = try await world.store.auditTrail(since: nil, taskId: nil, limit: nil).filter { ["pause", "resume"].contains($0.action) }
        #expect(decisions.map { "\($0.action) \($0.user) \($0.channel) \($0.detail ?? "")" } == [
            "pause dana console repository acme/billing-service", "resume lee cli repository acme/billing-service",
        ])
    }

    @Test func aPausedTaskBeginsNoStepAfterItsApprovalUntilResumed() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        let root = try await world.localForge().root
        let planned = try await world.run(title: "Reduced VAT for books", description: ExecutionEndToEndTests.description)
        let commands = OperatorCommands(store: world.store)
        _ = try await commands.pause(planned.id, by: Self.dana)
        // A second pause keeps the first (who and when).
        #expect(try await commands.pause(planned.id, by: Actor(user: "lee", channel: .cli)).by == "dana")
        _ = try await commands.approve(planned.id, by: Self.dana)
        let engine = try world.startEngine()
        defer { engine.cancel() }
        try await Task.sleep(nanoseconds: 800_000_000)
        let waiting = try #require(try await world.store.task(id: planned.id))
        #expect(waiting.status == .approved)
        #expect(try await Self.subjects(root) == ["docs: PLAN.md for \(planned.id)"])
        #expect(world.anthropic.requests.filter { CodeScript.task($0) != nil }.isEmpty)

        #expect(try await commands.resume(planned.id, by: Self.dana).tasks == [planned.id])
        let done = try await world.until(planned.id) { $0.status == .completed }
        #expect(done.status == .completed, "\(done.lastError ?? "")")
    }

    @Test func targetsAreTaskIdsOrRepositoriesAndNothingElse() async throws {
        #expect(Halt.target("t-1a2b3c4d")! == (Halt.Scope.task, "t-1a2b3c4d"))
        #expect(Halt.target(" Acme/Ledger ")! == (Halt.Scope.repository, "acme/ledger"))
        for bad in ["", "ledger", "acme/", "/ledger", "a/b/c", "acme/led ger"] { #expect(Halt.target(bad) == nil, "\(bad)") }
        let world = try await AgentWorld(answer: CodeScript.standard)
        await #expect(throws: StoreError.unknownTask("t-00000000")) { try await OperatorCommands(store: world.store).pause("t-00000000", by: Self.dana) }
        await #expect(throws: HaltTargetError.self) { try await OperatorCommands(store: world.store).pause("ledger", by: Self.dana) }
        #expect(try await OperatorCommands(store: world.store).resume("acme/ledger", by: Self.dana).removed.isEmpty)
    }
}
