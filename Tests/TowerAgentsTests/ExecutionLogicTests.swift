import Foundation
import Testing
import TowerCore
import TowerServices
import TowerTestSupport

@testable import TowerAgents

/// Search/replace edits and whole files, applied all or nothing.
@Suite struct ChangeApplierTests {
    static let files = ["app/tax.py": "RATE = 19\n\ndef vat(x):\n    return x * RATE\n\ndef net(x):\n    return x\n", "app/big.py": String(repeating: "x = 1\n", count: 300)]

    func apply(_ files: [CodeChangeAnswer.FileAnswer]) -> (changes: [FileChange], problems: [String]) {
        ChangeApplier.apply(CodeChangeAnswer(summary: "s", files: files)) { Self.files[$0] }
    }

    func edit(_ path: String, _ pairs: [(String, String)]) -> CodeChangeAnswer.FileAnswer {
        .init(path: path, action: "edit", content: nil, edits: pairs.map { .init(search: $0.0, replace: $0.1) })
    }

    @Test func editsApplyInOrderWhenEachMatchesOnce() {
        let result = apply([edit("app/tax.py", [("RATE = 19", "RATE = 21"), ("RATE = 21\n", "RATE = 7\n")])])
        #expect(result.problems.isEmpty)
        #expect(result.changes.first?.content.hasPrefix("RATE = 7\n") == true)
    }

    @Test func anEditWhoseTextIsMissingOrTwiceRefusesTheWholeAnswer() {
        let result = apply([
            .init(path: "app/new.py", action: "create", content: "y = 2\n", edits: nil),
            edit("app/tax.py", [("RATE = 20", "RATE = 21")]),
            edit("app/big.py", [("x = 1\n", "x = 2\n")]),
        ])
        #expect(result.changes.isEmpty)
        #expect(result.problems.contains { $0.contains("app/tax.py") && $0.contains("is not in the file") })
        #expect(result.problems.contains { $0.contains("app/big.py") && $0.contains("appears 300 times") })
        // "return x" occurs in `return x * RATE` and `return x`: twice.
        #expect(apply([edit("app/tax.py", [("return x", "return 0")])]).problems.first?.contains("appears 2 times") == true)
    }

    @Test func largeFilesAreEditedNotRewrittenAndNewFilesAreCreatedNotReplaced() {
        #expect(apply([.init(path: "app/big.py", action: "replace", content: "x = 2\n", edits: nil)]).problems.first?.contains("change it with edit") == true)
        #expect(apply([.init(path: "app/tax.py", action: "create", content: "", edits: nil)]).problems.first?.contains("already exists") == true)
        #expect(apply([.init(path: "app/none.py", action: "edit", content: nil, edits: [.init(search: "a", replace: "b")])]).problems.first?.contains("does not exist") == true)
        #expect(apply([.init(path: "app/tax.py", action: "replace", content: Self.files["app/tax.py"]!, edits: nil)]).problems == ["$.files: the answer changes nothing"])
    }

    @Test func pathsOutsideTheCheckoutGitsFilesAndThePlanAreRefused() {
        for path in ["../outside.py", "/etc/passwd", "app/../../x", ".git/config", "app/.git/hooks/pre-commit", "PLAN.md", "a//b", "./a"] {
            let result = apply([.init(path: path, action: "create", content: "x", edits: nil)])
            #expect(result.changes.isEmpty && result.problems.count == 1, "\(path)")
        }
    }
}

/// How a repository's tests are found.
@Suite struct RepositoryCommandsTests {
    func resolve(_ files: [String: String], override: String? = nil) throws -> RepositoryCommands {
        try RepositoryCommands.resolve(files: files.keys.sorted(), read: { files[$0] }, override: override)
    }

    @Test func detectionFollowsTheRepositorysLayout() throws {
        #expect(try resolve(["tests/test_a.py": "", "a.py": ""]).test == "python3 -m unittest discover -s tests")
        #expect(try resolve(["test_a.py": "", "pytest.ini": ""]).test == "python3 -m pytest -q")
        #expect(try resolve(["pkg/test_a.py": "", "pyproject.toml": "[tool.pytest.ini_options]\n"]).test == "python3 -m pytest -q")
        #expect(try resolve(["package.json": #"{"scripts": {"test": "jest"}}"#]).test == "npm test --silent")
        #expect(try resolve(["package.json": #"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}}"#]).test == nil)
        #expect(try resolve(["go.mod": "module x", "x_test.go": ""]).test == "go test ./...")
        #expect(try resolve(["Cargo.toml": ""]).test == "cargo test --offline")
        #expect(try resolve(["Package.swift": ""]).test == "swift test")
        #expect(try resolve(["Makefile": "build:\n\tcc x.c\ntest:\n\t./run\n"]).test == "make test")
        let none = try resolve(["README.md": "", "main.c": ""])
        #expect(none.test == nil && none.source == "none found")
    }

    @Test func theRepositorysOwnFileThenTheOverrideWin() throws {
        let toml = "[test]\ncommand = \"sh check.sh\"\nsetup = \"pip install -r r.txt\"\n[ci]\ncommand = \"black --check . && sh check.sh\"\n"
        let own = try resolve([".tower.toml": toml, "tests/test_a.py": ""])
        #expect(own == RepositoryCommands(test: "sh check.sh", setup: "pip install -r r.txt", ci: "black --check . && sh check.sh", source: ".tower.toml"))
        #expect(try resolve([".tower.toml": toml], override: "make check").test == "make check")
        #expect(throws: RepositoryCommandsError.self) { try resolve([".tower.toml": "[test\ncommand="]) }
    }
}

/// What a failing run is cut down to, on real unittest output.
@Suite struct TestOutputTests {
    @Test func theFirstFailureLeadsWithoutColoursAndTheSummaryEnds() async throws {
        let directory = TemporaryDirectory.make("unittest")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tests"), withIntermediateDirectories: true)
        var body = "import unittest\n\nclass T(unittest.TestCase):\n"
        for n in 0..<60 { body += "    def test_ok_\(n)(self):\n        print('noise line \(n)')\n        self.assertTrue(True)\n" }
        body += "    def test_zz_rate(self):\n        self.assertEqual(19 * 100 // 100, 7)\n"
        try body.write(to: directory.appendingPathComponent("tests/test_rates.py"), atomically: true, encoding: .utf8)
        // As the sandbox runs it: both streams in one, as written.
        let run = try await ProcessRunner().run("/bin/sh", ["-c", "/usr/bin/python3 -u -m unittest discover -s tests -v 2>&1"], in: directory)
        let output = "\u{1B}[31m" + run.output + "\u{1B}[0m"
        let excerpt = TestOutput.excerpt(output)
        #expect(run.exitCode == 1)
        #expect(excerpt.contains("FAIL: test_zz_rate"))
        #expect(excerpt.contains("AssertionError: 19 != 7"))
        #expect(excerpt.hasSuffix("FAILED (failures=1)"))
        #expect(!excerpt.contains("\u{1B}") && !excerpt.contains("noise line 3"))
        #expect(excerpt.count <= TestOutput.limit + 200)
    }
}

/// Diffs from `git diff`, file by file.
@Suite struct FilePatchTests {
    @Test func aDiffSplitsAtEachFile() {
        let output = "diff --git a/a.py b/a.py\nindex 1..2 100644\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x\n+y\ndiff --git a/dir/b b/dir/b\nnew file mode 100644\n--- /dev/null\n+++ b/dir/b\n@@ -0,0 +1 @@\n+z\n"
        let patches = FilePatch.split(output)
        #expect(patches.map(\.path) == ["a.py", "dir/b"])
        #expect(patches[0].patch.hasSuffix("+y\n") && patches[1].patch.hasPrefix("diff --git a/dir/b b/dir/b\nnew file"))
    }
}

/// The prompt's files: the plan's components, Discovery's files, and their tests.
@Suite struct ContextFilesTests {
    @Test func componentsDiscoveredFilesAndTheirTests() {
        let files = ["app/tax.py", "app/api.py", "app/rates/__init__.py", "app/rates/eu.py", "tests/test_tax.py", "tests/test_api.py", "README.md"]
        let (existing, new) = ContextFiles.select(
            components: ["app/tax.py", "app/rates/", "app/reduced.py"].map { PlanDocument.Component(name: "c", path: $0, responsibility: "r") }, discovered: ["README.md", "app/api.py"], files: files)
        #expect(existing == ["app/tax.py", "app/rates/__init__.py", "app/rates/eu.py", "app/api.py", "tests/test_tax.py", "tests/test_api.py"])
        #expect(new == ["app/reduced.py"])
    }
}

/// Signatures of the definitions a prompt does not show, on the fixture organization's code.
@Suite struct CodeOutlineTests {
    func outline(_ repository: String, _ path: String) throws -> [String] {
        let text = try String(contentsOf: FixtureOrganization.source.appendingPathComponent("\(repository)/\(path)"), encoding: .utf8)
        return CodeOutline.definitions(in: text, path: path).map { "\($0.line): \($0.signature)" }
    }

    @Test func pythonGoAndTypeScriptDefinitionsWithTheirSignatures() throws {
        #expect(try outline("billing-service", "billing_service/invoices.py") == [
            "7: class InvoiceRepository:", "10:     def __init__(self):", "13:     def add(self, invoice: Invoice) -> Invoice:",
            "17:     def get(self, number: str) -> Invoice:",
            "21: def create_invoice(repository: InvoiceRepository, number: str, customer: str, net: int, country: str) -> Invoice:",
            "26: def void_invoice(repository: InvoiceRepository, number: str) -> Invoice:",
        ])
        let tax = try outline("billing-service", "billing_service/tax.py")
        #expect(tax.first == "3: VAT_RATES = {", "\(tax)")
        #expect(try outline("auth-service", "internal/token/jwt.go").contains("15: func IssueToken(subject string) (string, error)"))
        #expect(try outline("web-dashboard", "src/api/session.ts").first == "1: export async function createSession(email: string, password: string): Promise<void>")
        #expect(try outline("billing-service", "README.md").isEmpty)
    }

    @Test func aDefinitionOverSeveralLinesIsJoinedAndTheOutlineKeepsItsBudget() {
        let text = "class A:\n    def run(\n        self,\n        x: int,\n    ) -> int:\n        return x\n"
        #expect(CodeOutline.definitions(in: text, path: "a.py").map(\.signature) == ["class A:", "    def run(self, x: int, ) -> int:"])
        let many = (1...400).map { CodeOutline.Definition(line: $0, name: "f\($0)", signature: ($0 % 10 == 0 ? "" : "    ") + "def f\($0)(self):") }
        let rendered = CodeOutline.render([("big.py", many), ("small.py", [.init(line: 1, name: "g", signature: "def g():")])], budget: 2_000)
        #expect(rendered.utf8.count <= 2_000)
        #expect(rendered.contains("  400: def f400(self):") && !rendered.contains("  399:"), "outermost definitions first")
        #expect(rendered.contains("more definitions]") && rendered.contains("small.py\n  1: def g():"))
    }
}
