import Foundation

/// What failed in a CI log, from what the tools really print, not from their names: ESLint's
/// stylish report never says "eslint", Prettier says "Code style issues found", black says
/// "would reformat", isort "Imports are incorrectly sorted". Only failed steps count, so a
/// passing step that installs isort or prints "error" is noise.
public enum LogClass: String, Sendable, Codable, CaseIterable, Comparable {
    case eslint, prettier, ruff, black, isort, mypy
    case testFailure = "test_failure"
    case compileError = "compile_error"
    case importError = "import_error"
    case security, permission, infrastructure, unknown

    /// The original's auto-fix table: the classes Tower may fix without a person.
    public var isAutoFixable: Bool {
        switch self {
        case .eslint, .prettier, .ruff, .black, .isort, .mypy: true
        default: false
        }
    }

    /// The fix command from the original's table (`nil` for mypy: its fix is LLM-guided).
    public var fixCommand: String? {
        switch self {
        case .eslint: "npx eslint --fix ."
        case .prettier: "npx prettier --write ."
        case .ruff: "ruff check --fix ."
        case .black: "black ."
        case .isort: "isort ."
        default: nil
        }
    }

    /// The command that confirms a fix locally before it is pushed (the tool in check mode).
    public var checkCommand: String? {
        switch self {
        case .eslint: "npx eslint ."
        case .prettier: "npx prettier --check ."
        case .ruff: "ruff check ."
        case .black: "black --check ."
        case .isort: "isort --check-only ."
        case .mypy: "mypy ."
        default: nil
        }
    }

    /// Failures only a change to the code can fix: CI sends the task back to Execution.
    public var needsCode: Bool {
        switch self {
        case .testFailure, .compileError, .importError: true
        default: false
        }
    }

    public static func < (a: LogClass, b: LogClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A classified log, as `tower cicd classify` prints it.
public struct LogClassification: Sendable, Equatable, Codable {
    public var classes: [LogClass]
    /// Every class found is in the auto-fix table (and there is at least one).
    public var autoFixable: Bool
    public var fixCommands: [String]
    /// The failing part, first failure first: not the whole log.
    public var excerpt: String
}

public enum LogClassifier {
    /// One signature: a class and a test on a cleaned line of a failed step.
    /// `@unchecked`: NSRegularExpression is immutable once made and documented as thread-safe.
    struct Signature: @unchecked Sendable {
        enum Test {
            case regex(NSRegularExpression)
            case contains([String])
        }

        var logClass: LogClass
        var test: Test

        init(logClass: LogClass, matches test: Test) {
            self.logClass = logClass
            self.test = test
        }

        func matches(_ line: String) -> Bool {
            switch test {
            case .regex(let expression): expression.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
            case .contains(let needles): needles.contains { line.contains($0) }
            }
        }
    }

    static func regex(_ pattern: String) -> Signature.Test {
        .regex(try! NSRegularExpression(pattern: pattern))
    }

    static func contains(_ needles: String...) -> Signature.Test {
        .contains(needles)
    }

    /// What each tool prints when it fails (see Tests/TowerAgentsTests/Fixtures/ci, captured
    /// from the real tools by scripts/capture-ci-fixtures).
    static let signatures: [Signature] = [
        // ESLint's stylish formatter: "  1:7  error  'x' is assigned … no-unused-vars", "✖ 3 problems (…)".
        Signature(logClass: .eslint, matches: regex(#"^\s+\d+:\d+\s+(error|warning)\s+.+\s{2,}[a-z@][\w/-]*$"#)),
        Signature(logClass: .eslint, matches: regex(#"^✖ \d+ problems? \(\d+ errors?, \d+ warnings?\)"#)),
        // Prettier --check: "[warn] Code style issues found in … Run Prettier with --write to fix."
        Signature(logClass: .prettier, matches: contains("Code style issues found", "Run Prettier with --write", "Forgot to run Prettier?")),
        // ruff check: "F401 [*] `os` imported but unused" + " --> path:1:8"; older: "path.py:1:8: F401 …";
        // ruff format --check: "unformatted: File would be reformatted", "Would reformat: path".
        Signature(logClass: .ruff, matches: regex(#"^[A-Z]{1,4}\d{3,4} (\[\*\] )?\S"#)),
        Signature(logClass: .ruff, matches: regex(#"^\S+\.pyi?:\d+:\d+: [A-Z]{1,4}\d{3,4} "#)),
        Signature(logClass: .ruff, matches: contains("unformatted: File would be reformatted", "Would reformat: ")),
        Signature(logClass: .ruff, matches: regex(#"^\[\*\] \d+ fixable with the `--fix` option"#)),
        // black --check: "would reformat path", "Oh no! 💥 💔 💥", "N files would be reformatted".
        Signature(logClass: .black, matches: regex(#"^would reformat \S"#)),
        Signature(logClass: .black, matches: contains("Oh no! 💥 💔 💥")),
        // isort --check-only: "ERROR: path Imports are incorrectly sorted and/or formatted."
        Signature(logClass: .isort, matches: contains("Imports are incorrectly sorted")),
        // mypy: "path.py:5: error: … [code]", "Found 1 error in 1 file".
        Signature(logClass: .mypy, matches: regex(#"^\S+\.pyi?:\d+(:\d+)?: error: .*\[[a-z-]+\]$"#)),
        Signature(logClass: .mypy, matches: regex(#"^Found \d+ errors? in \d+ files? \(checked \d+ source files?\)"#)),
        // Import errors, before test failures: pytest reports them while collecting.
        Signature(logClass: .importError, matches: regex(#"(ModuleNotFoundError|ImportError): |ImportError while importing|Cannot find module '|cannot find package|no required module provides package"#)),
        // Tests: pytest, unittest, go test, jest, cargo, swift test, mocha.
        Signature(logClass: .testFailure, matches: regex(#"^FAILED \S+::\S+|^=+ .*\d+ failed.* =+$|^\d+ failed(, \d+ passed)? in [\d.]+s$|^FAILED \((failures|errors)=\d+"#)),
        Signature(logClass: .testFailure, matches: regex(#"^--- FAIL: |^FAIL\s+\S+\s+[\d.]+s$|^Tests:\s+\d+ failed|^test result: FAILED|Test Suite '.+' failed|^\s+\d+ failing$|AssertionError"#)),
        // Compilers: TypeScript, Python syntax, gcc/clang, Go, Rust, Swift.
        Signature(logClass: .compileError, matches: regex(#"error TS\d+:|^SyntaxError: |^\s+File .+, line \d+$|^\S+\.(c|cc|cpp|h|go|swift|rs|java|kt):\d+(:\d+)?: (fatal )?error:|^error\[E\d+\]:|^error: could not compile"#)),
        // Security scanners: bandit, npm audit, pip-audit, Trivy.
        Signature(logClass: .security, matches: regex(#"^>> Issue: \[B\d+|found \d+ (low|moderate|high|critical) severity vulnerabilit|^Found \d+ known vulnerabilit|CRITICAL: \d+|\d+ vulnerabilities \("#)),
        // Permissions: the file system, GitHub's token, registries. A push the token may not make
        // is refused with 403, and git shows GitHub's text as `remote:` lines ("Permission to
        // o/r.git denied to github-actions[bot].", "Write access to repository not granted.").
        Signature(
            logClass: .permission,
            matches: regex(
                #"Permission denied|Resource not accessible by integration|[Pp]ermission to \S+ denied|Write access to repository not granted|The requested URL returned error: 403|403 Forbidden|EACCES|Operation not permitted"#
            )),
        // The runner and the network, not the code.
        Signature(logClass: .infrastructure, matches: regex(#"Could not resolve host|Temporary failure in name resolution|No space left on device|The runner has received a shutdown signal|lost communication with the server|The operation was canceled|Connection (timed out|refused|reset)|rate limit exceeded|429 Too Many Requests|503 Service Unavailable|ETIMEDOUT|ECONNRESET"#)),
    ]

    /// Classifies a job log (or several, from a run's zip), looking only at failed steps.
    public static func classify(_ logs: [String]) -> LogClassification {
        var classes = Set<LogClass>()
        var excerpts: [String] = []
        for log in logs {
            for step in ActionsLog(log).failedSteps {
                var found = Set<LogClass>()
                var first: Int?
                for (index, line) in step.lines.enumerated() {
                    for signature in signatures where !found.contains(signature.logClass) && signature.matches(line) {
                        found.insert(signature.logClass)
                        if first == nil { first = index }
                    }
                }
                // An import error that pytest met while collecting is not also a test failure.
                if found.contains(.importError) { found.remove(.testFailure) }
                if found.isEmpty { found.insert(.unknown) }
                classes.formUnion(found)
                excerpts.append(excerpt(step, from: first))
            }
        }
        let ordered = classes.sorted()
        let fixable = !ordered.isEmpty && ordered.allSatisfy(\.isAutoFixable)
        return LogClassification(
            classes: ordered, autoFixable: fixable, fixCommands: fixable ? ordered.compactMap(\.fixCommand) : [],
            excerpt: String(excerpts.joined(separator: "\n\n").prefix(excerptLimit)))
    }

    /// How much of the failure is kept: enough for a person or a model, not a whole log.
    public static let excerptLimit = 4000

    /// The failing step from a little before its first recognised line, or its last lines.
    static func excerpt(_ step: ActionsLog.Step, from first: Int?) -> String {
        let lines = step.lines
        let start = first.map { max(0, $0 - 3) } ?? max(0, lines.count - 30)
        let body = lines[start...].prefix(40).joined(separator: "\n")
        let header = "$ \(step.command)" + (step.exitCode.map { "  (exit \($0))" } ?? "")
        return header + "\n" + body.trimmingCharacters(in: .newlines)
    }
}
