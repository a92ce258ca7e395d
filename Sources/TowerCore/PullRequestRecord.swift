import Foundation

/// A pull request as Tower knows it, whichever forge holds it: GitHub's, or the local forge's
/// record in the store. Tasks point at one; the console shows it; a re-run finds it by head.
public struct PullRequestRecord: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case open, closed, merged }

    /// `owner/name`.
    public var repository: String
    public var number: Int
    public var head: String
    public var base: String
    public var title: String
    public var body: String
    public var draft: Bool
    public var state: State
    /// Where a person reads it: GitHub's page, or `local:owner/name#N` for the local forge.
    public var url: String

    public init(repository: String, number: Int, head: String, base: String, title: String, body: String, draft: Bool, state: State = .open, url: String) {
        self.repository = repository
        self.number = number
        self.head = head
        self.base = base
        self.title = title
        self.body = body
        self.draft = draft
        self.state = state
        self.url = url
    }
}

/// One CI run of a branch: a GitHub workflow run, or the local forge's command in a checkout.
public struct CIRun: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case queued, inProgress = "in_progress", completed }
    public enum Conclusion: String, Codable, Sendable { case success, failure, timedOut = "timed_out", cancelled }

    /// Unique within its forge (GitHub's run id; the store's row id for the local forge).
    public var id: Int64
    public var repository: String
    public var branch: String
    public var headSha: String
    public var name: String
    public var status: Status
    public var conclusion: Conclusion?
    /// The end of the run's output (the local forge keeps at most ``CIRun/outputLimit`` bytes).
    public var output: String
    public var startedAt: Date
    public var finishedAt: Date?

    /// How much of a run's output is kept: the end, where the failure is.
    public static let outputLimit = 256 << 10

    public init(
        id: Int64 = 0, repository: String, branch: String, headSha: String, name: String, status: Status, conclusion: Conclusion? = nil, output: String = "",
        startedAt: Date, finishedAt: Date? = nil
    ) {
        self.id = id
        self.repository = repository
        self.branch = branch
        self.headSha = headSha
        self.name = name
        self.status = status
        self.conclusion = conclusion
        self.output = output
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
