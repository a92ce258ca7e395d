import Foundation
import TowerCore

/// A worker's hold on one task: who, and the fencing token the claim was granted with. Each new
/// claim of a task takes a token one higher than the last, and every write of the task's step
/// results names the token it holds: a worker that was presumed dead (paused past its claim's
/// expiry) and comes back is refused, because its successor's claim took a higher token.
public struct TaskClaim: Sendable, Equatable {
    public var worker: String
    public var token: Int64

    public init(worker: String, token: Int64) {
        self.worker = worker
        self.token = token
    }
}

/// A claimed task as the claim hands it over.
public struct ClaimedTask: Sendable {
    public var task: TowerTask
    public var claim: TaskClaim

    public init(task: TowerTask, claim: TaskClaim) {
        self.task = task
        self.claim = claim
    }
}

/// A worker as every console on the store sees it: where it runs, how many tasks it holds, and
/// when it last said it was alive.
public struct WorkerRecord: Sendable, Equatable {
    /// The engine's claim holder (`host:pid:suffix`).
    public var id: String
    public var host: String
    public var pid: Int32
    public var startedAt: Date
    public var heartbeatAt: Date
    /// Until when its claims last (its heartbeat plus the claim expiry).
    public var expiresAt: Date
    public var tasksHeld: Int
    /// Set when it stopped cleanly (its claims given back).
    public var stoppedAt: Date?

    public init(id: String, host: String, pid: Int32, startedAt: Date, heartbeatAt: Date, expiresAt: Date, tasksHeld: Int = 0, stoppedAt: Date? = nil) {
        self.id = id
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.expiresAt = expiresAt
        self.tasksHeld = tasksHeld
        self.stoppedAt = stoppedAt
    }

    /// `running`; `silent` when it missed a heartbeat (one is due every third of its claim
    /// expiry, so this shows within one heartbeat period of a death); `lost` when its claims
    /// expired (killed, paused, or its host gone: the others take its tasks); `stopped` when it
    /// stopped cleanly. As the health line and `tower agent workers` say it.
    public func state(at now: Date) -> String {
        if stoppedAt != nil { return "stopped" }
        if expiresAt <= now { return "lost" }
        let period = expiresAt.timeIntervalSince(heartbeatAt) / 3
        return now.timeIntervalSince(heartbeatAt) > period * 1.5 ? "silent" : "running"
    }
}

extension TowerTask {
    /// Whether an update that leaves the task so gives its claim back in the same commit: it
    /// waits for a person or for its time, or it ended; no worker has anything to do with it.
    public var releasesClaim: Bool { !status.isActive || waitingUntil != nil }
}
