import Foundation
import Testing
import TowerConfig
import TowerTestSupport

/// Typed settings with bad values are named with their reason, never read as a default: by
/// `tower config`, and by the commands that run work, which refuse to start.
@Suite struct SettingsValidationTests {
    static let bad = [
        "TOWER_MAX_CONCURRENT_TASKS": "abc", "TOWER_TEST_TIMEOUT": "-5", "TOWER_CI_POLL_INTERVAL": "0", "TOWER_SENTRY_INTERVAL": "5",
        "TOWER_LISTEN": "localhost", "TOWER_SETUP_NETWORK": "maybe",
    ]

    @Test func eachTypedSettingsProblemIsSaid() {
        let config = Configuration.fixed(Self.bad)
        let invalid = Dictionary(uniqueKeysWithValues: config.invalidSettings.map { ($0.name, $0.reason) })
        #expect(invalid["TOWER_MAX_CONCURRENT_TASKS"] == "not a whole number")
        #expect(invalid["TOWER_TEST_TIMEOUT"] == "must be from 1 to 86400 seconds")
        #expect(invalid["TOWER_CI_POLL_INTERVAL"] == "must be from 0.01 to 3600 seconds")
        #expect(invalid["TOWER_SENTRY_INTERVAL"] == "must be from 60 to 604800 seconds")
        #expect(invalid["TOWER_LISTEN"] == "not HOST:PORT")
        #expect(invalid["TOWER_SETUP_NETWORK"] == "not 0 or 1")
        #expect(invalid.count == Self.bad.count)
        // Every built-in default fits its own check.
        #expect(Configuration.fixed([:]).invalidSettings.isEmpty)
        #expect(Configuration.fixed(["TOWER_LISTEN": ":8001", "TOWER_CI_POLL_INTERVAL": "0.05", "TOWER_ALLOW_PLAIN_HTTP": "true"]).invalidSettings.isEmpty)
        #expect(ValueCheck.hostPort.problem("127.0.0.1:70000") == "the port must be from 0 to 65535")
    }

    @Test func configMarksThemAndServeRefusesToStartNamingThem() async throws {
        let env = isolatedEnvironment(Self.bad)
        let config = try await ChildProcess.run(towerBinary, ["config"], environment: env)
        #expect(config.status == 0)
        let line = config.out.split(separator: "\n").first { $0.contains("TOWER_MAX_CONCURRENT_TASKS") } ?? ""
        #expect(line.contains("abc") && line.contains("INVALID: not a whole number"), "\(config.out)")
        #expect(config.out.contains("INVALID: must be from 60 to 604800 seconds"))

        let state = TemporaryDirectory.make("invalid").appendingPathComponent("state")
        for arguments in [["serve", "--port", "0"], ["run", "--description", "x"]] {
            let run = try await ChildProcess.run(towerBinary, arguments + ["--state-dir", state.path], environment: env, timeout: 30)
            #expect(run.status != 0, "\(arguments[0]) started")
            for name in Self.bad.keys { #expect(run.err.contains(name), "\(arguments[0]): \(run.err)") }
            #expect(run.err.contains("TOWER_TEST_TIMEOUT=\"-5\" (must be from 1 to 86400 seconds)"))
        }
        // Nothing was started: no task was created.
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("tower.sqlite").path))
    }

    @Test func runWithoutAForgeOrAModelSaysWhatIsMissingBeforeItCreatesATask() async throws {
        let state = TemporaryDirectory.make("unconfigured").appendingPathComponent("state")
        let run = try await ChildProcess.run(towerBinary, ["run", "--ticket", "PROJ-7", "--state-dir", state.path], environment: isolatedEnvironment([:]), timeout: 30)
        #expect(run.status == 1, "\(run.out)\n\(run.err)")
        #expect(run.err.contains("no task was created; the workflow needs what is not configured"), "\(run.err)")
        #expect(run.err.contains("  - a forge: ") && run.err.contains("GITHUB_TOKEN"), "\(run.err)")
        #expect(run.err.contains("  - a language model: ") && run.err.contains("ANTHROPIC_API_KEY"), "\(run.err)")
        #expect(run.err.contains("  - Jira, to read the ticket: "), "\(run.err)")
        let list = try await ChildProcess.run(towerBinary, ["agent", "list", "--state-dir", state.path], environment: isolatedEnvironment([:]), timeout: 30)
        #expect(list.out.contains("No tasks") || list.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(list.out)")
    }
}
