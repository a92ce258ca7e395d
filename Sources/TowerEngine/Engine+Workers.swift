import Foundation
import TowerCore
import TowerStore

/// Claims mode and the store's wake-ups: the worker's heartbeat, claims lost to another worker,
/// and what a store that notifies (PostgreSQL) pushes to every worker.
extension Engine {
    /// Claims mode: the heartbeat that keeps this worker's row live and its claims from expiring.
    /// A task whose claim another worker took (this one was paused past the expiry) is dropped.
    func keepWorker(now: Date) async throws {
        guard !holding || now.timeIntervalSince(lastRenewal) >= configuration.leaseTTL / 3 else { return }
        let held = Set(try await store.heartbeat(workerRecord(at: now, stopped: false), ttl: configuration.leaseTTL))
        lastRenewal = now
        if !holding {
            holding = true
            needsScan = true
            bus.publish(.leaseChanged(held: true))
        }
        for (id, runner) in runners where claims[id] != nil && !held.contains(id) && !released.contains(id) {
            claims[id] = nil
            runner.cancel()
            await claimLost(taskId: id, how: "this worker's heartbeat found it held by another; the step in flight was dropped")
        }
    }

    func workerRecord(at now: Date, stopped: Bool) -> WorkerRecord {
        WorkerRecord(
            id: claim.holder, host: claim.host, pid: claim.pid, startedAt: startedAt, heartbeatAt: now,
            expiresAt: now.addingTimeInterval(configuration.leaseTTL), tasksHeld: claims.count, stoppedAt: stopped ? now : nil)
    }

    /// A wake-up from the store: look for work now, or pass CI news to the steps watching CI.
    func noticed(_ wakeUp: StoreWakeUp) {
        switch wakeUp {
        case .ciNews(let repository, let branch, let origin):
            if origin != claim.holder { bus.publish(.ciNews(repository: repository, branch: branch)) }
        case .commands, .inbox, .listening:
            needsScan = true
            wake()
        }
    }

    /// CI has news for a branch (a webhook this process processed): the CI/CD steps watching it
    /// here look now, and so do those of every other worker on a store that notifies.
    public func announceCINews(repository: String, branch: String?) async {
        bus.publish(.ciNews(repository: repository, branch: branch))
        if let notifying = store as? any StoreNotifications {
            try? await notifying.announce(ciNews: repository, branch: branch, origin: claim.holder)
        }
    }

    /// Another worker claimed a task this one was driving (this one was paused or cut off past
    /// its claim's expiry): nothing of this worker's lands, and the task's log says so.
    func claimLost(taskId: String, how: String) async {
        let message = "worker \(claim.holder) lost its claim to another worker while paused past its expiry: \(how)"
        lastError = "task \(taskId): \(message)"
        let event = TaskEvent(taskId: taskId, at: now(), level: .warning, agent: "engine", message: message, milestone: true)
        let store = store
        if let stored = await Task(operation: { try? await store.appendEvents([event]) }).value {
            for event in stored { bus.publish(.log(event)) }
        }
    }

    func claimReleased(_ taskId: String) {
        released.insert(taskId)
    }
}
