import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestSupport

/// The auto-fix loop against real formatters that disagree: black (line length 140) and isort
/// (its default profile) rewrite the same import back and forth, the known conflict. Each fix is
/// confirmed locally and pushed, CI fails on the other tool, and after three attempts the
/// failure goes to a person with the excerpt.
@Suite(.serialized) struct AutoFixLoopTests {
    static let vat = """
        VAT_RATES = {"DE": 19, "FR": 20}
        REDUCED_RATES = {"DE": 7, "FR": 5}


        def compute_vat(net: int, country: str) -> int:
            return (net * VAT_RATES[country] + 50) // 100


        def compute_reduced_vat(net: int, country: str) -> int:
            return (net * REDUCED_RATES[country] + 50) // 100


        def vat_report_line(vat: int, *tables: object) -> str:
            return f"VAT {vat} over {len(tables)} tables"

        """

    static let report = """
        from ledger.vat import REDUCED_RATES, VAT_RATES, compute_vat, compute_reduced_vat, vat_report_line


        def report(net: int) -> str:
            return vat_report_line(compute_vat(net, "DE"), VAT_RATES, REDUCED_RATES, compute_reduced_vat)

        """

    static let files = [
        FileChange(path: "pyproject.toml", content: "[project]\nname = \"ledger\"\nversion = \"0.1.0\"\n\n[tool.black]\nline-length = 140\n"),
        FileChange(path: ".tower.toml", content: "[test]\ncommand = \"python3 -m unittest discover -s tests\"\n\n[ci]\ncommand = \"black --check . && isort --check-only . && python3 -m unittest discover -s tests\"\n"),
        FileChange(path: "ledger/__init__.py", content: ""),
        FileChange(path: "ledger/vat.py", content: vat),
        FileChange(path: "tests/test_vat.py", content: "import unittest\n\nfrom ledger.vat import compute_vat\n\n\nclass VatTests(unittest.TestCase):\n    def test_germany(self):\n        self.assertEqual(compute_vat(10000, \"DE\"), 1900)\n"),
    ]

    static let answer: @Sendable (JSONValue) -> JSONValue = { body in
        guard AnthropicStandIn.forcedTool(body) == "submit_changes", let (number, _) = CodeScript.task(body) else { return PlanScript.answer(body) }
        if number == 1 { return ["summary": "A VAT report line.", "files": [CodeScript.file("ledger/report.py", create: report)]] }
        return ["summary": "Notes.", "files": [CodeScript.file("docs/note-\(number).md", create: "Note \(number).\n")]]
    }

    @Test func formattersThatUndoEachOtherStopAfterThreeAttemptsAndEscalateWithTheExcerpt() async throws {
        let world = try await AgentWorld(answer: Self.answer)
        let (forge, root) = try await world.localForge()
        try await forge.createRepository(RepositoryRef(owner: "acme", name: "ledger"), files: Self.files)
        let planned = try await world.run(title: "VAT report line", description: "Add a report line for VAT_RATES and REDUCED_RATES to the ledger", repository: "acme/ledger")
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        let task = try await world.drive(planned.id, timeout: 180)
        let log = try await world.log(task.id)
        #expect(task.status == .failed && task.failedStep == .ciMonitoring, "\(log)")
        #expect(task.lastError?.contains("stopped after 3 auto-fix attempts") == true, "\(task.lastError ?? "")")

        let gitDir = root.appendingPathComponent("acme/ledger.git").path
        let fixes = try await ProcessRunner().run("git", ["--git-dir", gitDir, "log", "--reverse", "--format=%s", "--all"]).output.split(separator: "\n").filter { $0.hasPrefix("ci: auto-fix") }
        #expect(fixes == ["ci: auto-fix isort", "ci: auto-fix black", "ci: auto-fix isort"], "\(log)")
        let reports = try await world.store.artifacts(taskId: task.id, kind: .ciLog).map { try JSONDecoder().decode(CIRunReport.self, from: $0.content) }
        #expect(reports.map(\.classes) == [[.isort], [.black], [.isort], [.black]])
        #expect(reports.last?.action.hasPrefix("escalated: stopped after 3") == true)
        // The escalation reached Slack with the failing part of the log.
        let escalation = try #require(try await world.store.outbox(taskId: task.id).first { $0.kind == "ci_escalation" })
        #expect(escalation.status == .sent)
        #expect(escalation.text.contains("would reformat") && escalation.text.contains("ledger/report.py"))
        #expect((world.chat.messages.last?["text"] as? String)?.contains("CI needs attention") == true)
    }
}
