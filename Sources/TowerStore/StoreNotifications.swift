import Foundation

/// What a store that can push tells the workers of every process, so that they act at once
/// instead of at their next poll.
public enum StoreWakeUp: Sendable, Equatable {
    /// An operator command (approve, reject, retry, freeze, budget) or a new task was stored.
    case commands
    /// A webhook delivery was stored in the inbox.
    case inbox
    /// CI finished on a branch (a `workflow_run` or `check_suite` delivery): the CI/CD agent
    /// watching it looks now. `origin` is the worker that announced it.
    case ciNews(repository: String, branch: String?, origin: String)
    /// The channel listens, first or again after it was lost: whatever was stored before it
    /// listened was not notified to this worker, so it looks now.
    case listening
}

/// A store whose writes wake the workers of other processes and hosts (PostgreSQL's LISTEN and
/// NOTIFY). Polling stays the floor: a notification lost with a connection delays work by one
/// poll, never loses it.
public protocol StoreNotifications: Sendable {
    /// Wake-ups as they arrive, for as long as the stream is iterated; the connection behind it
    /// is made again (with backoff) when it drops, and ``StoreWakeUp/listening`` says when it listens.
    func wakeUps() -> AsyncStream<StoreWakeUp>
    /// Tells every worker that CI has news for a branch.
    func announce(ciNews repository: String, branch: String?, origin: String) async throws
}
