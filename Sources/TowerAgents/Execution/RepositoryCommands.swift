import Foundation
import TOMLKit

/// How a repository's tests run, what prepares them, and what its CI runs (on the local forge):
/// `TOWER_TEST_COMMAND`, then the repository's own `.tower.toml`, then detection from the files
/// it has. A repository with none of them has no test command, and its changes are reported as
/// not tested, never as passing.
///
/// ```toml
/// [test]
/// command = "python3 -m unittest discover -s tests"
/// setup = "python3 -m pip install --target .tower/python -r requirements.txt"
/// [ci]
/// command = "black --check . && python3 -m unittest discover -s tests"
/// ```
public struct RepositoryCommands: Sendable, Equatable {
    public var test: String?
    /// Run once per checkout before the tests (the network only when configured to).
    public var setup: String?
    /// What CI runs, when the repository says; otherwise its tests.
    public var ci: String?
    /// Where `test` came from, for the log and the PR.
    public var source: String

    public init(test: String?, setup: String? = nil, ci: String? = nil, source: String) {
        self.test = test
        self.setup = setup
        self.ci = ci
        self.source = source
    }

    /// The commands of a checkout whose files are `files`, reading `.tower.toml`, `package.json`,
    /// `Makefile` and `pyproject.toml` through `read`.
    public static func resolve(files: [String], read: (String) -> String?, override: String?) throws -> RepositoryCommands {
        var commands = RepositoryCommands(test: nil, source: "none found")
        if let toml = read(".tower.toml") {
            let table: TOMLTable
            do {
                table = try TOMLTable(string: toml)
            } catch {
                throw RepositoryCommandsError(message: ".tower.toml is not valid TOML: \(error)")
            }
            commands.test = table["test"]?["command"]?.string
            commands.setup = table["test"]?["setup"]?.string
            commands.ci = table["ci"]?["command"]?.string
            if commands.test != nil { commands.source = ".tower.toml" }
        }
        if let override = override?.trimmingCharacters(in: .whitespacesAndNewlines), !override.isEmpty {
            commands.test = override
            commands.source = "TOWER_TEST_COMMAND"
        }
        if commands.test == nil, let (command, tool) = detect(files: files, read: read) {
            commands.test = command
            commands.source = "detected (\(tool))"
        }
        return commands
    }

    /// The test command a repository's files imply, and the tool's name.
    static func detect(files: [String], read: (String) -> String?) -> (String, String)? {
        let present = Set(files)
        let names = Set(files.map { $0.split(separator: "/").last.map(String.init) ?? $0 })
        if present.contains("Package.swift") { return ("swift test", "swift test") }
        if present.contains("Cargo.toml") { return ("cargo test --offline", "cargo test") }
        if present.contains("go.mod") { return ("go test ./...", "go test") }
        if present.contains("package.json"), let manifest = read("package.json"),
            let json = try? JSONSerialization.jsonObject(with: Data(manifest.utf8)) as? [String: Any],
            let scripts = json["scripts"] as? [String: Any], let test = scripts["test"] as? String, !test.contains("no test specified")
        {
            return ("npm test --silent", "npm test")
        }
        let pythonTests = files.filter { path in
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return name.hasSuffix(".py") && (name.hasPrefix("test_") || name.hasSuffix("_test.py"))
        }
        if !pythonTests.isEmpty {
            let pytestConfigured =
                present.contains("pytest.ini") || names.contains("conftest.py")
                || (present.contains("pyproject.toml") && (read("pyproject.toml")?.contains("[tool.pytest") ?? false))
                || (present.contains("setup.cfg") && (read("setup.cfg")?.contains("[tool:pytest]") ?? false))
            if pytestConfigured { return ("python3 -m pytest -q", "pytest") }
            // unittest discovers from a start directory; the usual one, else the root.
            for directory in ["tests", "test"] where pythonTests.contains(where: { $0.hasPrefix(directory + "/") }) {
                return ("python3 -m unittest discover -s \(directory)", "unittest")
            }
            return ("python3 -m unittest discover", "unittest")
        }
        if present.contains("Makefile"), let makefile = read("Makefile"),
            makefile.split(separator: "\n").contains(where: { $0.hasPrefix("test:") })
        {
            return ("make test", "make test")
        }
        return nil
    }
}

/// A repository's own configuration that Tower cannot read.
public struct RepositoryCommandsError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
