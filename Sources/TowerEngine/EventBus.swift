import Foundation
import TowerCore

/// What the engine tells live front ends (the console, later a web page) as it happens.
public enum EngineEvent: Sendable, Equatable {
    /// A task's stored row changed.
    case taskChanged(TowerTask)
    /// A log line was stored.
    case log(TaskEvent)
    /// This engine took (`true`) or lost (`false`) the engine lease.
    case leaseChanged(held: Bool)
    /// The freeze switch was turned on (`true`) or off.
    case frozen(Bool)
    /// A webhook says CI has news for a repository's branch (a run completed, a push): the
    /// CI/CD agent waiting on it looks now instead of at its next poll.
    case ciNews(repository: String, branch: String?)
}

/// Fan-out of ``EngineEvent``s to any number of subscribers. A slow subscriber gets the newest
/// events (its buffer is bounded) and never slows the engine down.
public final class EventBus: Sendable {
    private struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<EngineEvent>.Continuation] = [:]
    }

    private let state = LockedValue(State())
    private let bufferSize: Int

    public init(bufferSize: Int = 10_000) { self.bufferSize = bufferSize }

    /// A stream of every event published from now on, until the consumer stops iterating.
    public func subscribe() -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream<EngineEvent>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Sends an event to every subscriber.
    public func publish(_ event: EngineEvent) {
        for continuation in state.withLock({ Array($0.subscribers.values) }) { continuation.yield(event) }
    }
}

/// A value behind a lock, for the few places where an actor hop would be too much.
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
