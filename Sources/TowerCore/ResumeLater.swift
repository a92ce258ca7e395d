import Foundation

/// A service asked to be called again later than a client waits in-line (a `Retry-After` of ten
/// minutes, GitHub's primary rate limit until its reset). Not a failure: the engine parks the
/// step, durably, and runs it again after `after` seconds, without spending an attempt.
public struct ResumeLater: Error, Equatable, Sendable, CustomStringConvertible {
    /// Seconds from now until the service may be called again.
    public var after: TimeInterval
    /// What the step waits for, for people: "GitHub rate limit exhausted at api.github.com".
    public var waitingFor: String

    public init(after: TimeInterval, waitingFor: String) {
        self.after = after
        self.waitingFor = waitingFor
    }

    public var description: String { "\(waitingFor): the service asks to wait \(Int(after.rounded())) s" }
}
