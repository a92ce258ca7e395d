import Foundation
import TowerCore
import TowerStore

/// How the engine paces itself. Defaults suit production; tests and benchmarks shrink the times.
public struct EngineConfiguration: Sendable {
    /// Tasks run at once; the rest wait in line (the original ran one Lambda per step; this caps spend).
    public var maxConcurrentTasks: Int
    /// How many times CI may send a task back to Execution before it fails.
    public var maxCIRetries: Int
    /// Backoff between attempts of a failing step.
    public var backoff: RetryBackoff
    /// How often the engine looks for commands from other processes and renews its lease.
    public var pollInterval: TimeInterval
    /// How long the lease lasts without renewal; another engine takes over after this.
    public var leaseTTL: TimeInterval
    /// How often expired rows are swept.
    public var sweepInterval: TimeInterval
    /// How many times one attempt of a step may be cut short by its engine dying (killed, its
    /// host lost) before the task fails: a step that keeps killing its engine must end.
    public var maxInterruptions = 3
    /// How engines on one store share the work: one lease for the whole store (the embedded
    /// default), or claims per task so that several workers on several hosts run at once.
    public var sharing: Sharing = .lease
    /// How long the sweep keeps audit rows (`TOWER_AUDIT_RETENTION_DAYS`).
    public var auditRetention: TimeInterval = AuditRetention.default
    /// The structured log (`--log-format json`); `nil` writes none.
    public var log: EngineLog?

    /// How engines on one store share the work.
    public enum Sharing: Sendable, Equatable {
        /// One engine holds the store's lease and runs every task; the others stand by.
        case lease
        /// Every engine is a worker: it claims tasks (up to ``maxConcurrentTasks``) with an
        /// expiry renewed by its heartbeat (``leaseTTL``) and a fencing token on every write.
        case claims
    }

    public init(
        maxConcurrentTasks: Int = 4, maxCIRetries: Int = 3, backoff: RetryBackoff = RetryBackoff(),
        pollInterval: TimeInterval = 0.2, leaseTTL: TimeInterval = 10, sweepInterval: TimeInterval = 3600
    ) {
        self.maxConcurrentTasks = max(1, maxConcurrentTasks)
        self.maxCIRetries = max(0, maxCIRetries)
        self.backoff = backoff
        self.pollInterval = pollInterval
        self.leaseTTL = leaseTTL
        self.sweepInterval = sweepInterval
    }
}
