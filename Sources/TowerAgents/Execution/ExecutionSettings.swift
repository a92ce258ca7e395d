import Foundation
import TowerConfig

/// How Execution tests what it writes: the configured command (else the repository's own, else
/// detected), the sandbox's time limit, whether a repository's setup may use the network, and
/// how many attempts a plan task gets.
public struct ExecutionSettings: Sendable {
    public var testCommand: String?
    public var testTimeout: TimeInterval = 600
    public var setupNetwork = false
    public var attempts = 3

    public init() {}

    init(_ configuration: Configuration) {
        testCommand = configuration["TOWER_TEST_COMMAND"].flatMap { $0.isEmpty ? nil : $0 }
        testTimeout = configuration["TOWER_TEST_TIMEOUT"].flatMap(TimeInterval.init).map { max(1, $0) } ?? 600
        setupNetwork = configuration["TOWER_SETUP_NETWORK"] == "1"
    }
}

/// How the CI/CD agent watches: the first poll interval (doubled after each unchanged answer, up
/// to eight times), how long CI may take in all, how long to wait for a run to appear at all,
/// and the fix attempts.
public struct CISettings: Sendable {
    public var pollInterval: TimeInterval = 15
    public var timeout: TimeInterval = 3600
    /// A pushed commit with no run after this long: the repository has no CI for the branch.
    public var waitForRuns: TimeInterval = 180
    public var fixAttempts = 3
    /// Times CI may send a task back to Execution (the engine enforces it; the agent says it).
    public var maxRetries = 3
    /// Seconds between looks at PLAN.md of plans awaiting approval.
    public var planWatchInterval: TimeInterval = 60

    public init() {}

    init(_ configuration: Configuration) {
        pollInterval = configuration["TOWER_CI_POLL_INTERVAL"].flatMap(TimeInterval.init).map { max(0.01, $0) } ?? 15
        timeout = configuration["TOWER_CI_TIMEOUT"].flatMap(TimeInterval.init).map { max(1, $0) } ?? 3600
        waitForRuns = min(timeout, max(pollInterval * 12, 180))
        maxRetries = configuration["TOWER_MAX_CI_RETRIES"].flatMap(Int.init) ?? 3
        planWatchInterval = configuration["TOWER_PLAN_WATCH_INTERVAL"].flatMap(TimeInterval.init).map { max(0.01, $0) } ?? 60
    }
}
