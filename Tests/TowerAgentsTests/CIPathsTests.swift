import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestSupport

/// The CI paths the original names, end to end over the local forge: real git, the repository's
/// CI command run for real (unittest, black, mypy), the real classification of what they print.
@Suite(.serialized) struct CIPathsTests {
    static let vat = """
        VAT_RATES = {"DE": 19, "FR": 20}


        def compute_vat(net: int, country: str) -> int:
            return (net * VAT_RATES[country] + 50) // 100

        """

    static let report = """
        from tally.vat import compute_vat


        def report_line(net: int, country: str) -> str:
            return f"VAT {compute_vat(net, country)}"

        """

    /// A small repository whose sandbox tests run only the VAT tests, while CI runs `ci` (every
    /// test, and the checks a team adds).
    static func files(ci: String, pyproject: String = "") -> [FileChange] {
        [
            FileChange(path: "pyproject.toml", content: "[project]\nname = \"tally\"\nversion = \"0.1.0\"\n" + pyproject),
            FileChange(path: ".tower.toml", content: "[test]\ncommand = \"python3 -m unittest tests.test_vat\"\n\n[ci]\ncommand = \"\(ci)\"\n"),
            FileChange(path: "tally/__init__.py", content: ""),
            FileChange(path: "tally/vat.py", content: vat),
            FileChange(path: "tally/report.py", content: report),
            FileChange(path: "tests/__init__.py", content: ""),
            FileChange(path: "tests/test_vat.py", content: "import unittest\n\nfrom tally.vat import compute_vat\n\n\nclass VatTests(unittest.TestCase):\n    def test_germany(self):\n        self.assertEqual(compute_vat(10000, \"DE\"), 1900)\n"),
            FileChange(path: "tests/test_report.py", content: "import unittest\n\nfrom tally.report import report_line\n\n\nclass ReportTests(unittest.TestCase):\n    def test_line(self):\n        self.assertEqual(report_line(10000, \"DE\"), \"VAT 1900\")\n"),
        ]
    }

    static let repo = RepositoryRef(owner: "acme", name: "tally")

    /// Tasks 2 and 3 of the plan write notes; task 1 is the test's.
    static func answer(task1: JSONValue, other: @escaping @Sendable (String) -> JSONValue? = { _ in nil }) -> @Sendable (JSONValue) -> JSONValue {
        { body in
            guard AnthropicStandIn.forcedTool(body) == "submit_changes" else { return PlanScript.answer(body) }
            let prompt = AnthropicStandIn.promptText(body)
            if let special = other(prompt) { return special }
            let number = CodeScript.task(body)?.number ?? 0
            if number == 1 { return task1 }
            return ["summary": "Notes.", "files": [CodeScript.file("docs/note-\(number).md", create: "Note \(number).\n")]]
        }
    }

    func start(_ world: AgentWorld, ci: String, pyproject: String = "") async throws -> TowerTask {
        let (forge, _) = try await world.localForge()
        _ = try await forge.createRepository(Self.repo, files: Self.files(ci: ci, pyproject: pyproject))
        let planned = try await world.run(title: "VAT report", description: "The VAT report line in tally should say what it reports", repository: Self.repo.description)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        return try await world.drive(planned.id, timeout: 240)
    }

    func subjects(_ world: AgentWorld) async throws -> [String] {
        let root = world.directory.appendingPathComponent("forge")
        return try await ProcessRunner().run("git", ["--git-dir", root.appendingPathComponent("acme/tally.git").path, "log", "--reverse", "--format=%s", "--all"])
            .output.split(separator: "\n").map(String.init)
    }

    func reports(_ world: AgentWorld, _ id: String) async throws -> [CIRunReport] {
        try await world.store.artifacts(taskId: id, kind: .ciLog).map { try JSONDecoder().decode(CIRunReport.self, from: $0.content) }
    }

    @Test func aTestFailureInCIGoesBackToExecutionWithTheExcerptIsFixedAndCompletes() async throws {
        // Task 1 changes the report's format; the sandbox runs only the VAT tests, CI runs them all.
        let changed = CodeScript.file("tally/report.py", edit: #"f"VAT {compute_vat"#, #"f"VAT: {compute_vat"#)
        let fix = CodeScript.file("tally/report.py", edit: #"f"VAT: {compute_vat"#, #"f"VAT {compute_vat"#)
        let world = try await AgentWorld(
            answer: Self.answer(task1: ["summary": "Say what the line reports.", "files": [changed]]) { prompt in
                // The CI fix, answered only when the prompt shows unittest's failure.
                prompt.contains("## Task\nFix CI (test_failure)") && prompt.contains("AssertionError: 'VAT: 1900' != 'VAT 1900'")
                    ? ["summary": "Keep the report's format, which its tests pin.", "files": [fix]] : nil
            })
        let task = try await start(world, ci: "python3 -m unittest discover -s tests")
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")
        #expect(task.cycle == 1)
        #expect(log.contains("CI failed: acme/tally: test_failure; back to execution (CI cycle 1 of 3)"), "\(log)")
        let fixPrompt = try #require(world.anthropic.requests.map(AnthropicStandIn.promptText).first { $0.contains("## Task\nFix CI (test_failure)") })
        #expect(fixPrompt.contains("<previous_attempt>") && fixPrompt.contains(#"/tests/test_report.py", line 8, in test_line"#), "\(fixPrompt.suffix(1200))")
        #expect(fixPrompt.contains(#"path="tally/report.py""#), "the file CI's failure is about is shown")
        let subjects = try await subjects(world)
        #expect(subjects.suffix(4) == ["feat(\(task.id)): 1. Write tests for reduced rates", "feat(\(task.id)): 2. Add reduced rates to VAT_RATES", "feat(\(task.id)): 3. Pass the item category through", "fix(\(task.id)): Fix CI (test_failure)"], "\(subjects)")
        #expect(try await reports(world, task.id).map(\.classes) == [[.testFailure], []])
        let root = world.directory.appendingPathComponent("forge/acme/tally.git").path
        let branch = try await ProcessRunner().run("git", ["--git-dir", root, "for-each-ref", "--format=%(refname:short)", "refs/heads/ai/"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let pr = try #require(try await world.store.openPullRequest(repository: Self.repo.description, head: branch))
        #expect(pr.body.contains("- [x] Fix CI (test_failure)"))
    }

    @Test func theSameClassFailingRightAfterItsOwnFixIsEscalatedWithBothRuns() async throws {
        // CI checks black at 79 columns; the repository's own setting (what `black .` uses) is 140.
        let long = "def report_total(net: int, country: str) -> str:\n    return 'VAT total for ' + country + ': ' + str(net * 19 // 100) + ' cents, rounded half up'\n"
        let world = try await AgentWorld(answer: Self.answer(task1: ["summary": "A total.", "files": [CodeScript.file("tally/total.py", create: long)]]))
        let task = try await start(world, ci: "black --check --line-length 79 . && python3 -m unittest discover -s tests", pyproject: "\n[tool.black]\nline-length = 140\n")
        let log = try await world.log(task.id)
        #expect(task.status == .failed && task.failedStep == .ciMonitoring, "\(log)")
        #expect(task.lastError?.contains("black failed again right after its own fix") == true, "\(task.lastError ?? "")")
        #expect(try await subjects(world).filter { $0.hasPrefix("ci: auto-fix") } == ["ci: auto-fix black"], "one fix, not a loop")
        let runs = try await reports(world, task.id)
        #expect(runs.map(\.classes) == [[.black], [.black]])
        #expect(runs.last?.action == "escalated: black failed again right after its own fix")
        let escalation = try #require(try await world.store.outbox(taskId: task.id).first { $0.kind == "ci_escalation" })
        #expect(escalation.text.contains("run \(runs[0].runId), before the fix (black)") && escalation.text.contains("run \(runs[1].runId), after it (black)"), "\(escalation.text)")
        #expect(escalation.text.components(separatedBy: "tally/total.py\n\nOh no!").count == 3, "both runs' excerpts: \(escalation.text)")
    }

    @Test func aRealMypyFailureIsFixedByTheModelConfirmedByMypyAndCommitted() async throws {
        // Task 1 writes a function whose annotation mypy refuses.
        let typed = "from tally.vat import compute_vat\n\n\ndef vat_cents(net: int, country: str) -> str:\n    return compute_vat(net, country)\n"
        let fixed = "from tally.vat import compute_vat\n\n\ndef vat_cents(net: int, country: str) -> int:\n    return compute_vat(net, country)\n"
        let world = try await AgentWorld(
            answer: Self.answer(task1: ["summary": "VAT in cents.", "files": [CodeScript.file("tally/cents.py", create: typed)]]) { prompt in
                // Answered only from what the mypy prompt shows: mypy's own report, and the file.
                guard prompt.contains("CI's type check (mypy) failed") else { return nil }
                guard prompt.contains(#"tally/cents.py:5: error: Incompatible return value type (got "int", expected "str")  [return-value]"#),
                    prompt.contains(#"<file lines="6" path="tally/cents.py">"#)
                else { return ["summary": "not shown", "files": []] }
                return ["summary": "The function returns cents as an int.", "files": [CodeScript.file("tally/cents.py", edit: "-> str:", "-> int:")]]
            })
        let task = try await start(world, ci: "mypy tally && python3 -m unittest discover -s tests")
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")
        #expect(world.anthropic.requests.map(AnthropicStandIn.promptText).filter { $0.contains("CI's type check (mypy) failed") }.count == 1)
        #expect(log.contains("auto-fix 1 on acme/tally: mypy confirmed locally; committed"), "\(log)")
        #expect(try await subjects(world).last == "ci: auto-fix mypy")
        let runs = try await reports(world, task.id)
        #expect(runs.map(\.classes) == [[.mypy], []])
        #expect(runs.first?.excerpt.contains("Found 1 error in 1 file") == true)
        let forge = LocalForge(root: world.directory.appendingPathComponent("forge"), store: world.store)
        #expect(try await forge.file("tally/cents.py", in: Self.repo, ref: try #require(runs.last?.headSha)) == fixed)
    }
}
