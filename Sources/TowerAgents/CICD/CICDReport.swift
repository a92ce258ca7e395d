import Foundation

/// One CI run as the CI/CD agent saw it, stored as a `ci_log` artifact for the console's CI tab:
/// the run, what its logs were classed as, and the fix that followed it, if any.
public struct CIRunReport: Codable, Sendable, Equatable {
    public var repository: String
    public var runId: Int64
    public var name: String
    public var headSha: String
    /// `success`, `failure`, `timed_out`, `cancelled`, or `none` (no run appeared).
    public var conclusion: String
    public var classes: [LogClass]
    public var autoFixable: Bool
    public var excerpt: String
    /// What was done about it: `passed`, `auto-fix 1: black . → abc12345`, `escalated: …`.
    public var action: String

    public init(
        repository: String, runId: Int64, name: String, headSha: String, conclusion: String, classes: [LogClass] = [], autoFixable: Bool = false,
        excerpt: String = "", action: String
    ) {
        self.repository = repository
        self.runId = runId
        self.name = name
        self.headSha = headSha
        self.conclusion = conclusion
        self.classes = classes
        self.autoFixable = autoFixable
        self.excerpt = excerpt
        self.action = action
    }
}

/// What CI/CD stores: every run it watched, and the failures it sends back to Execution.
public struct CICDOutput: Codable, Sendable, Equatable {
    public struct Failure: Codable, Sendable, Equatable {
        public var repository: String
        public var classes: [LogClass]
        public var excerpt: String
    }

    public var runs: [CIRunReport]
    public var failures: [Failure]
}
