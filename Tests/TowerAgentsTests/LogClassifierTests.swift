import Foundation
import Testing

@testable import TowerAgents

/// The classifier on what the real tools printed (scripts/capture-ci-fixtures ran ruff, black,
/// isort, mypy, pytest, bandit, Debian's eslint and tsc, and wrapped each run as a GitHub
/// Actions job log).
@Suite struct LogClassifierTests {
    static func log(_ name: String) throws -> String {
        try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ci/\(name).log"), encoding: .utf8)
    }

    static let expected: [(String, [LogClass], Bool)] = [
        ("ruff", [.ruff], true),
        ("ruff-format", [.ruff], true),
        ("black", [.black], true),
        ("isort", [.isort], true),
        ("mypy", [.mypy], true),
        ("eslint", [.eslint], true),
        ("pytest-failure", [.testFailure], false),
        ("pytest-import-error", [.importError], false),
        ("tsc", [.compileError], false),
        ("bandit", [.security], false),
        ("permission", [.permission], false),
        ("infrastructure", [.infrastructure], false),
    ]

    @Test(arguments: 0..<expected.count)
    func everyClassIsRecognisedInRealToolOutput(_ index: Int) throws {
        let (name, classes, fixable) = Self.expected[index]
        let result = LogClassifier.classify([try Self.log(name)])
        #expect(result.classes == classes, "\(name): \(result.classes) \(result.excerpt)")
        #expect(result.autoFixable == fixable)
        #expect(!result.excerpt.contains("\u{1B}") && !result.excerpt.contains("2026-11-20T"))
        #expect(!result.excerpt.contains("Requirement already satisfied"), "\(name): the passing install step is not the failure")
    }

    @Test func aFormatterFailureWithATestFailureIsNotAutoFixable() throws {
        let result = LogClassifier.classify([try Self.log("black-and-pytest")])
        #expect(result.classes == [.black, .testFailure])
        #expect(!result.autoFixable && result.fixCommands.isEmpty)
        #expect(result.excerpt.contains("FAILED tests/test_tax.py::test_france - AssertionError: assert 2000 == 2100"))
    }

    @Test func aPassingStepThatInstallsIsortOrSaysErrorIsNoise() throws {
        let log = try Self.log("passing-install-then-pytest")
        #expect(log.contains("isort") && log.contains("error: none, all good"))
        let result = LogClassifier.classify([log])
        #expect(result.classes == [.testFailure])
        #expect(result.excerpt.hasPrefix("$ python3 -m pytest -q  (exit 1)"))
    }

    @Test func fixCommandsComeFromTheOriginalsTable() throws {
        #expect(LogClassifier.classify([try Self.log("black")]).fixCommands == ["black ."])
        #expect(LogClassifier.classify([try Self.log("ruff"), try Self.log("isort")]).fixCommands == ["ruff check --fix .", "isort ."])
        // mypy's fix is LLM-guided: auto-fixable, with no command.
        let mypy = LogClassifier.classify([try Self.log("mypy")])
        #expect(mypy.autoFixable && mypy.fixCommands.isEmpty)
        #expect(mypy.excerpt.contains("billing/tax.py:5: error: Incompatible types in assignment"))
    }

    @Test func aFailedStepNothingRecognisesIsUnknownAndPlainOutputIsOneStep() {
        let unknown = LogClassifier.classify(["2026-11-20T09:14:02.1234567Z ##[group]Run ./deploy.sh\n2026-11-20T09:14:02.2234567Z ##[endgroup]\n2026-11-20T09:14:03.1234567Z something odd happened\n2026-11-20T09:14:03.2234567Z ##[error]Process completed with exit code 3.\n"])
        #expect(unknown.classes == [.unknown] && !unknown.autoFixable)
        #expect(unknown.excerpt == "$ ./deploy.sh  (exit 3)\nsomething odd happened")
        // The local forge's CI output has no step markers: all of it is the failed step.
        let plain = LogClassifier.classify(["would reformat src/app.py\n\nOh no! 💥 💔 💥\n1 file would be reformatted.\n"])
        #expect(plain.classes == [.black] && plain.autoFixable)
    }
}
