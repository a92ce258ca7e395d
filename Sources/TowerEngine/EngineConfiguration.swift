import Foundation

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

/// Exponential backoff with jitter: attempt n waits `base × multiplier^(n-1)`, capped, then a
/// random part of it is taken away so that many failing tasks do not retry in lock-step.
public struct RetryBackoff: Sendable, Equatable {
    public var base: TimeInterval
    public var multiplier: Double
    public var maximum: TimeInterval
    /// 0 = no jitter, 1 = anywhere between 0 and the full delay.
    public var jitter: Double

    public init(base: TimeInterval = 2, multiplier: Double = 2, maximum: TimeInterval = 60, jitter: Double = 0.5) {
        self.base = base
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The wait after failed attempt `attempt` (1-based), given a random number in 0..<1.
    public func delay(afterAttempt attempt: Int, random: Double) -> TimeInterval {
        let full = min(maximum, base * pow(multiplier, Double(max(0, attempt - 1))))
        return full * (1 - jitter * random)
    }
}
