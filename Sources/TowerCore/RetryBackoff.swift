import Foundation

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
