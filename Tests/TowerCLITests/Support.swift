import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

/// Every suite that starts processes runs inside this one, one test at a time: a process started
/// with posix_spawn (tmux) while Foundation's Process is starting another could inherit the
/// descriptor Process watches for that child's exit, and the tmux server, which lives on, would
/// keep the child looking alive.
@Suite(.serialized) enum ProcessTests {}

let towerBinary = BuiltProducts.url("tower")
let workerBinary = BuiltProducts.url("tower-test-worker")
let testActor = Actor(user: "test", channel: .api)

/// The environment for child processes: this one's, with HOME and XDG pointed at a scratch
/// directory so no test reads or writes the real user's configuration or state.
func isolatedEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    let home = TemporaryDirectory.make("home")
    env["HOME"] = home.path
    env["XDG_CONFIG_HOME"] = home.appendingPathComponent(".config").path
    env["XDG_STATE_HOME"] = home.appendingPathComponent(".state").path
    env["NO_COLOR"] = nil  // swift test sets it; the console tests choose for themselves
    let servicePrefixes = ["TOWER_", "GITHUB_", "JIRA_", "SLACK_", "SENTRY_", "ANTHROPIC_"]
    for key in env.keys where servicePrefixes.contains(where: key.hasPrefix) || key.hasSuffix("_TOKEN") || key.hasSuffix("_SECRET") || key.hasSuffix("_API_KEY") {
        env[key] = nil
    }
    return env.merging(extra) { _, new in new }
}

/// Polls until `condition` holds; `false` after `timeout`.
func eventually(timeout: TimeInterval = 90, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    return false
}
