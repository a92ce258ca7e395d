import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestSupport

@testable import TowerAgents
@testable import TowerConsole

/// An approval binds to the PLAN.md it approved: an edit before the decision is shown where
/// people decide, and an edit after it goes back to a person before anything is written.
@Suite(.serialized) struct ApprovedPlanTests {
    static let description = "VAT is wrong for reduced-rate items: compute_vat ignores VAT_RATES for books"
    static let repo = RepositoryRef(owner: "acme", name: "billing-service")

    func approve(_ world: AgentWorld, _ id: String, by user: String = "test") async throws -> Approval {
        let outcome = try await world.store.decide(taskId: id, decision: .approved, actor: Actor(user: user, channel: .cli), reason: nil, at: Date())
        guard case .decided(let approval) = outcome else { throw CancellationError() }
        return approval
    }

    /// A reviewer adds task 4 to PLAN.md on the branch; returns the branch and the edit's commit.
    func editPlan(_ forge: LocalForge, _ world: AgentWorld) async throws -> (branch: String, commit: String) {
        let id = try #require(try await world.store.tasks(status: nil, limit: 1).first?.id)
        let stored = try #require(try await world.store.phaseResult(taskId: id, step: .planning, cycle: 0))
        let branch = try JSONDecoder().decode(PlanningOutput.self, from: stored.output).branch
        var plan = try PlanDocument.parse(try #require(try await forge.file("PLAN.md", in: Self.repo, ref: branch)))
        plan.tasks.append(PlanDocument.Task(number: 4, title: "Document the reduced rates", dependencies: [3], estimatedHours: 0.5))
        let commit = try await forge.commit([FileChange(path: "PLAN.md", content: plan.render())], message: "PLAN.md: document the rates (review)", on: branch, in: Self.repo)
        return (branch, commit)
    }

    /// What Slack was sent, each message as its JSON text.
    func slack(_ world: AgentWorld) -> [String] {
        world.chat.messages.map { String(decoding: (try? JSONSerialization.data(withJSONObject: $0, options: [.withoutEscapingSlashes])) ?? Data(), as: UTF8.self) }
    }

    @Test func anEditPushedAfterApprovalWritesNothingAndWaitsForANewApprovalThatRunsTheEditedPlan() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        let (forge, _) = try await world.localForge()
        let planned = try await world.run(title: "Reduced VAT for books", description: Self.description)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        let first = try await approve(world, planned.id, by: "alice")
        let approvedVersion = try #require(first.plan)
        #expect(approvedVersion.edit == nil && approvedVersion.blobs.keys.sorted() == ["acme/billing-service"])

        // After the decision, before Execution starts: a push to PLAN.md.
        let (branch, edit) = try await editPlan(forge, world)
        let held = try await world.drive(planned.id, timeout: 60)
        var log = try await world.log(held.id)
        #expect(held.status == .awaitingApproval, "\(held.lastError ?? "")\n\(log)")
        #expect(log.contains("PLAN.md changed after it was approved by alice by commit acme/billing-service@\(edit.prefix(8)) (\"PLAN.md: document the rates (review)\")"), "\(log)")
        // Nothing written: the branch ends at the reviewer's commit, and no model was asked for code.
        #expect(try await forge.commits(on: branch, in: Self.repo, limit: 1).first?.sha == edit)
        #expect(!world.anthropic.requests.contains { AnthropicStandIn.forcedTool($0) == "submit_changes" })
        // A new request for the edited plan, and Slack asked again naming the commit.
        let second = try #require(try await world.store.approval(taskId: planned.id))
        #expect(second.token != first.token && !second.isDecided)
        #expect(second.plan?.edit?.commit == edit)
        #expect(second.plan.map { !$0.sameText(as: approvedVersion) } == true)
        #expect(slack(world).count == 2, "\(slack(world))")
        #expect(slack(world).last?.contains("by commit acme/billing-service@\(edit.prefix(8))") == true)
        #expect(try await world.store.artifacts(taskId: planned.id, kind: .plan).count == 2, "the edited PLAN.md is stored as the plan's next version")

        // The new approval runs the edited plan.
        let again = try await approve(world, planned.id, by: "bob")
        #expect(again.plan?.edit?.commit == edit)
        let done = try await world.drive(planned.id, timeout: 180)
        log = try await world.log(done.id)
        #expect(done.status == .completed, "\(done.lastError ?? "")\n\(log)")
        #expect(log.contains("executing PLAN.md as edited by commit acme/billing-service@\(edit.prefix(8))"))
        let subjects = try await forge.commits(on: branch, in: Self.repo, limit: 20).map { $0.message.split(separator: "\n").first.map(String.init) ?? "" }
        #expect(subjects.contains("feat(\(done.id)): 4. Document the reduced rates"), "\(subjects)")
        // The record shows both decisions.
        let decisions = try await world.store.events(taskId: done.id, after: nil, limit: nil).filter { $0.agent == "approval" }.map(\.message)
        // The first grants the plan's budget; the second, for a request made without an estimate, keeps it.
        #expect(decisions.filter { $0.hasPrefix("plan approved by") }.map { $0.components(separatedBy: "; model budget").first! } == ["plan approved by alice via cli", "plan approved by bob via cli"])
        #expect(decisions.first { $0.hasPrefix("plan approved by alice") }?.contains("; model budget $") == true)
    }

    @Test func anEditBeforeApprovalIsShownInTheApprovalDialogAndItsApprovalRunsIt() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        let (forge, _) = try await world.localForge()
        let planned = try await world.run(title: "Reduced VAT for books", description: Self.description)
        let (_, edit) = try await editPlan(forge, world)
        // The engine's look at waiting plans.
        try await PlanWatch(services: try world.services(), store: world.store).run()

        let pending = try #require(try await world.store.approval(taskId: planned.id))
        #expect(!pending.isDecided && pending.plan?.edit?.commit == edit)
        let log = try await world.log(planned.id)
        #expect(log.contains("PLAN.md was edited before approval by commit acme/billing-service@\(edit.prefix(8))"), "\(log)")
        #expect(slack(world).last?.contains("PLAN.md was edited before approval by commit acme/billing-service@\(edit.prefix(8))") == true, "\(slack(world))")
        // The console's approval dialog, from what the store holds.
        let task = try #require(try await world.store.task(id: planned.id))
        let lines = Console.approvalLines(task, try await DetailLoader.load(planned.id, from: world.store))
        #expect(lines.contains("Tasks: 4, 5 h estimated"), "\(lines)")
        #expect(lines.contains("Edited after planning by commit acme/billing-service@\(edit.prefix(8)) (\"PLAN.md: document the rates (review)\")"), "\(lines)")
        // A second look changes nothing.
        try await PlanWatch(services: try world.services(), store: world.store).run()
        #expect(try await world.store.artifacts(taskId: planned.id, kind: .plan).count == 2)

        // Approving approves the edited version, which Execution then runs without asking again.
        _ = try await approve(world, planned.id)
        let done = try await world.drive(planned.id, timeout: 180)
        #expect(done.status == .completed, "\(done.lastError ?? "")")
        #expect(try await world.log(done.id).contains("4. Document the reduced rates"))
    }
}
