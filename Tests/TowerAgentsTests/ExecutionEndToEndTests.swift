import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestSupport

/// From approval to `completed` over the local forge: real bare repositories, real git, the
/// repository's real tests in the sandbox, its CI command (with the real black) in a fresh
/// checkout, the real auto-fix.
@Suite(.serialized) struct ExecutionEndToEndTests {
    static let description = "VAT is wrong for reduced-rate items: compute_vat ignores VAT_RATES for books"

    func git(_ root: URL, _ arguments: [String]) async throws -> String {
        let gitDir = root.appendingPathComponent("acme/billing-service.git").path
        return try await ProcessRunner().run("git", ["--git-dir", gitDir] + arguments).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func approve(_ world: AgentWorld, _ id: String) async throws {
        _ = try await world.store.decide(taskId: id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
    }

    @Test func overTheLocalForgeAnApprovedPlanIsWrittenTestedCommittedFixedAndCompleted() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        let root = try await world.localForge().root
        let planned = try await world.run(title: "Reduced VAT for books", description: Self.description)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        try await approve(world, planned.id)
        let task = try await world.drive(planned.id, timeout: 180)
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")

        // One commit per plan task, then the auto-fix, each once, on the plan's branch.
        let branch = try await git(root, ["for-each-ref", "--format=%(refname:short)", "refs/heads/ai/"])
        let subjects = try await git(root, ["log", "--reverse", "--format=%s", "main..\(branch)"]).split(separator: "\n").map(String.init)
        #expect(
            subjects == [
                "docs: PLAN.md for \(task.id)", "feat(\(task.id)): 1. Write tests for reduced rates", "feat(\(task.id)): 2. Add reduced rates to VAT_RATES",
                "feat(\(task.id)): 3. Pass the item category through", "ci: auto-fix black",
            ], "\(log)")
        // The first attempt of task 1 failed its tests; the failure reached the second prompt.
        let prompts = world.anthropic.requests.filter { CodeScript.task($0)?.number == 1 }.map(AnthropicStandIn.promptText)
        #expect(prompts.count == 2)
        #expect(prompts.last?.contains("TypeError: compute_vat() takes 2 positional arguments but 3 were given") == true)
        #expect(prompts.last?.contains("<previous_attempt>") == true)
        #expect(log.contains("plan-task 1 attempt 1: tests failed"))

        // black reformatted what task 2 wrote, and CI passed on the fix.
        let tax = try await git(root, ["show", "\(branch):billing_service/tax.py"])
        #expect(tax.contains(#"REDUCED_RATES = {"DE": 7, "FR": 5, "NL": 9}"#))
        let runs = try await world.store.ciRuns(repository: "acme/billing-service", branch: branch)
        #expect(runs.compactMap(\.conclusion) == [.success, .failure])
        #expect(runs.last?.output.contains("would reformat") == true)

        // Diffs, CI reports, the PR's checklist, and the notices.
        let diffs = try await world.store.artifacts(taskId: task.id, kind: .diff).map(\.name)
        #expect(Set(diffs) == ["billing_service/tax.py", "tests/test_tax_reduced.py"])
        let reports = try await world.store.artifacts(taskId: task.id, kind: .ciLog).map { try JSONDecoder().decode(CIRunReport.self, from: $0.content) }
        #expect(reports.map(\.classes) == [[.black], []])
        #expect(reports.first?.action.hasPrefix("auto-fix 1: black") == true)
        let pr = try #require(try await world.store.openPullRequest(repository: "acme/billing-service", head: branch))
        #expect(pr.body.contains("- [x] 1. Write tests for reduced rates"))
        #expect(pr.body.contains("Each commit passed the repository's tests"))
        let kinds = try await world.store.outbox(taskId: task.id).map(\.kind)
        #expect(kinds.filter { $0 == "ci_passed" }.count == 1 && kinds.filter { $0 == "completed" }.count == 1, "\(kinds)")
        #expect(world.chat.messages.count == 3)  // approval request, CI passed, done
    }

    @Test func overGitHubTheBranchIsCheckedOutFromTheTarballAndCIIsReadFromZippedLogs() async throws {
        let blackLog = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ci/black.log"), encoding: .utf8)
        // The workflow: black's check fails while tax.py has single-quoted keys.
        let world = try await AgentWorld(answer: CodeScript.standard) { repository, files in
            let unformatted = files["billing_service/tax.py"]?.contains("'DE'") ?? false
            return (!unformatted, unformatted ? blackLog : "2026-11-30T10:00:00.0000000Z All done! ✨ 🍰 ✨\n")
        }
        let planned = try await world.run(title: "Reduced VAT for books", description: Self.description)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        try await approve(world, planned.id)
        let task = try await world.drive(planned.id, timeout: 180)
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)\n\(world.github.requests.suffix(15).joined(separator: "\n"))")
        #expect(world.github.headerProblems.isEmpty)
        let branch = "ai/\(task.id)-reduced-vat-for-books"
        for prefix in ["feat(\(task.id)): 1.", "feat(\(task.id)): 2.", "feat(\(task.id)): 3.", "ci: auto-fix black"] {
            #expect(world.github.commits("billing-service", messagePrefix: prefix) == 1, "\(prefix)\n\(log)")
        }
        #expect(world.github.file("billing_service/tax.py", in: "billing-service", branch: branch)?.contains(#"{"DE": 7, "FR": 5, "NL": 9}"#) == true)
        #expect(world.actions?.logDownloads == 1)
        #expect(world.github.requests.contains { $0.hasPrefix("GET /github/repos/acme/billing-service/tarball/") })
        let diffs = try await world.store.artifacts(taskId: task.id, kind: .diff)
        #expect(Set(diffs.map(\.name)) == ["billing_service/tax.py", "tests/test_tax_reduced.py"])
        #expect(diffs.allSatisfy { String(decoding: $0.content, as: UTF8.self).contains("@@") })
        let body = try #require(world.github.pullRequests.first?.body)
        #expect(body.contains("- [x] 3. Pass the item category through"))
        let reports = try await world.store.artifacts(taskId: task.id, kind: .ciLog).map { try JSONDecoder().decode(CIRunReport.self, from: $0.content) }
        #expect(reports.map(\.conclusion) == ["failure", "success"])
        #expect(reports.first?.excerpt.contains("would reformat") == true)
    }
}
