import Foundation

/// Work the engine runs on a schedule while it holds the lease: the Sentry monitor's hourly
/// pass. The schedule lives in the store, not in memory: `due` reads when the job last ran,
/// so a restart neither skips a pass nor runs one twice, and only the lease holder runs it.
public protocol ScheduledJob: Sendable {
    /// The job's name, for logs and the health line.
    var name: String { get }
    /// When the job should run next, from what the store says of its last run.
    func due(now: Date) async throws -> Date
    /// One run. The job records its own outcome; a thrown error is kept as the engine's last
    /// error, and the job is tried again after `retryDelay`.
    func run() async throws
}

extension ScheduledJob {
    /// How long the engine waits after a run that threw before asking `due` again.
    public var retryDelay: TimeInterval { 60 }
    /// Whether each run is a trace of its own (`job NAME`), with its service calls under it.
    /// Off by default: a job that runs every minute would fill the collector with empty runs.
    public var traced: Bool { false }
}
