import Foundation
import TowerCore
import TowerStore

#if canImport(Glibc)
    import Glibc
#endif

/// The durable orchestrator: takes every active task through the workflow, one step at a time,
/// storing each step's result before the next begins.
///
/// With ``EngineConfiguration/Sharing/lease``, only the engine that holds the store's lease runs
/// workflows; others wait and take over when the holder stops renewing (it died). With
/// ``EngineConfiguration/Sharing/claims``, every engine is a worker that claims tasks of its
/// own, and a dead worker's tasks are claimed by the others once its claims expire. Commands
/// from other processes arrive through the store and are noticed within one
/// ``EngineConfiguration/pollInterval``. Every write is fenced (the lease holder, or the task's
/// claim token), so an engine that was overtaken while paused cannot write.
public actor Engine {
    /// Live events for front ends.
    public nonisolated let bus: EventBus
    /// Who this engine is in the lease table.
    public nonisolated let claim: LeaseClaim
    let store: any Store
    let workflow: Workflow
    let configuration: EngineConfiguration
    let now: @Sendable () -> Date

    var runners: [String: Task<Void, Never>] = [:]
    /// The claims this worker holds on the tasks it drives (claims mode).
    var claims: [String: TaskClaim] = [:]
    /// Tasks whose last commit gave their claim back (nothing to release when the drive ends).
    var released: Set<String> = []
    let startedAt = Date()
    /// Scheduled jobs running now, by name, and when each may next be asked whether it is due.
    var jobRunners: [String: Task<Void, Never>] = [:]
    var jobNotBefore: [String: Date] = [:]
    var holding = false
    var lastRenewal = Date.distantPast
    private var lastSweep = Date.distantPast
    private var lastScan = Date.distantPast
    private var lastCommand: Int64 = -1
    var needsScan = true
    /// When the earliest parked step is due (a timer wakes the engine then).
    private var parkedWake: Date?
    private var frozen = false
    /// The pauses in force, as the last scan read them (a pause or resume is a command, which
    /// makes the next tick scan).
    var halts: [Halt] = []
    private var sleeper: CheckedContinuation<Void, Never>?
    private var wakeRequested = false
    /// What the last sweep removed (its ``SweepReport/summary`` says it in a line).
    public internal(set) var lastSweepReport: SweepReport?
    /// The last error the engine loop met (a busy store, say), for the health line.
    public internal(set) var lastError: String?

    public init(
        store: any Store, workflow: Workflow, configuration: EngineConfiguration = EngineConfiguration(),
        claim: LeaseClaim = .thisProcess(), bus: EventBus = EventBus(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.workflow = workflow
        self.configuration = configuration
        self.claim = claim
        self.bus = bus
        self.now = now
    }

    /// Whether this engine holds the lease (and so runs workflows) right now.
    public var isActive: Bool { holding }

    /// Whether the freeze switch stops new steps (kept in the store, for every process).
    public var isFrozen: Bool { frozen }

    /// Ids of the tasks this engine is driving now.
    public var runningTaskIDs: [String] { runners.keys.sorted() }

    /// Runs until the surrounding task is cancelled, then stops every step, waits for them and
    /// gives the lease back. Unfinished tasks resume at their last stored step on the next start.
    public func run() async {
        // A store that pushes (PostgreSQL's NOTIFY) wakes this engine at once for commands, new
        // tasks, deliveries and CI news from any process; polling stays the floor.
        let listening = (store as? any StoreNotifications).map { notifying in
            Task { [weak self] in
                for await wakeUp in notifying.wakeUps() { await self?.noticed(wakeUp) }
            }
        }
        defer { listening?.cancel() }
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                do {
                    try await tick()
                    lastError = nil
                } catch {
                    lastError = String(describing: error)
                }
                await pause(configuration.pollInterval)
            }
        } onCancel: {
            Task { await self.wake() }
        }
        await stopRunners()
        if holding {
            // In a task of its own: this one is cancelled, and the store refuses cancelled callers.
            let store = store, holder = claim.holder
            if configuration.sharing == .claims {
                let stopped = workerRecord(at: now(), stopped: true)
                await Task { _ = try? await store.heartbeat(stopped, ttl: 0) }.value
            } else {
                await Task { try? await store.releaseLease(holder: holder) }.value
            }
            holding = false
            bus.publish(.leaseChanged(held: false))
        }
    }

    /// Makes the engine look for work now instead of at its next poll (after an in-process command).
    public func wake() {
        if let sleeper {
            self.sleeper = nil
            sleeper.resume()
        } else {
            wakeRequested = true
        }
    }

    // MARK: The loop

    private func tick() async throws {
        let now = now()
        try await keepLease(now: now)
        guard holding else { return }
        if now.timeIntervalSince(lastSweep) >= configuration.sweepInterval {
            lastSweep = now
            let report = try await store.sweepExpired(now: now, auditRetention: configuration.auditRetention)
            lastSweepReport = report
            configuration.log?.swept(report)
        }
        let latest = try await store.latestCommandSequence()
        if latest != lastCommand || needsScan || now.timeIntervalSince(lastScan) >= max(2, configuration.pollInterval * 10) {
            lastCommand = latest
            needsScan = false
            lastScan = now
            let freeze = try await store.freezeState().frozen
            if freeze != frozen {
                frozen = freeze
                bus.publish(.frozen(freeze))
            }
            halts = try await store.halts()
            if !frozen { try await schedule() }
        }
        if !frozen { try await scheduleJobs(now: now) }
    }

    private func keepLease(now: Date) async throws {
        if configuration.sharing == .claims { return try await keepWorker(now: now) }
        let renewDue = now.timeIntervalSince(lastRenewal) >= configuration.leaseTTL / 3
        guard !holding || renewDue else { return }
        var held = false
        if !holding, let lease = try await store.lease(), lease.holder != claim.holder, lease.isLive(at: now) {
            // A holder on this machine that was killed is not waited for until its lease lapses.
            if lease.holderIsGone(onHost: claim.host) {
                try await store.releaseLease(holder: lease.holder)
                held = try await store.acquireLease(claim, ttl: configuration.leaseTTL, now: now)
            }
        } else {
            held = try await store.acquireLease(claim, ttl: configuration.leaseTTL, now: now)
        }
        if held { lastRenewal = now }
        guard held != holding else { return }
        holding = held
        bus.publish(.leaseChanged(held: held))
        if held {
            needsScan = true
        } else {
            await stopRunners()
        }
    }

    private func schedule() async throws {
        let now = now()
        guard runners.count < configuration.maxConcurrentTasks else { return }
        if configuration.sharing == .claims {
            let (claimed, next) = try await store.claimTasks(
                for: workerRecord(at: now, stopped: false), limit: configuration.maxConcurrentTasks - runners.count, ttl: configuration.leaseTTL)
            if let next { wakeAt(next) }
            for item in claimed where runners[item.task.id] == nil {
                let id = item.task.id, taskClaim = item.claim
                claims[id] = taskClaim
                runners[id] = Task {
                    await self.drive(taskId: id, taskClaim: taskClaim)
                    await self.finished(taskId: id)
                }
            }
            return
        }
        // The running ones come back too (oldest first): ask for enough to fill every free slot.
        let (runnable, next) = try await store.runnableTasks(now: now, limit: configuration.maxConcurrentTasks + runners.count)
        // Parked tasks wait for their time; the engine looks again then.
        if let next { wakeAt(next) }
        for task in runnable where runners[task.id] == nil {
            guard runners.count < configuration.maxConcurrentTasks else { break }
            let id = task.id
            runners[id] = Task {
                await self.drive(taskId: id)
                await self.finished(taskId: id)
            }
        }
    }

    /// Looks for work again at `date` (a parked step's time), as well as at every poll.
    func wakeAt(_ date: Date) {
        if let pending = parkedWake, pending <= date, pending > now() { return }
        parkedWake = date
        let seconds = max(0, date.timeIntervalSince(now()))
        Task {
            try? await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400 * 30) * 1_000_000_000))
            self.parkedWakeDue(date)
        }
    }

    private func parkedWakeDue(_ date: Date) {
        if parkedWake == date { parkedWake = nil }
        needsScan = true
        wake()
    }

    private func finished(taskId: String) async {
        if let held = claims.removeValue(forKey: taskId), released.remove(taskId) == nil {
            // The drive ended with the task still runnable (frozen, a conflict, a lost claim):
            // another worker, or this one at its next scan, may take it.
            let store = store
            await Task { try? await store.releaseClaim(taskId: taskId, worker: held.worker) }.value
        }
        runners[taskId] = nil
        needsScan = true
        wake()
    }

    private func stopRunners() async {
        let all = Array(runners.values) + Array(jobRunners.values)
        for runner in all { runner.cancel() }
        for runner in all { await runner.value }
        runners = [:]
        jobRunners = [:]
        claims = [:]
        released = []
    }

    private func pause(_ seconds: TimeInterval) async {
        if wakeRequested || Task.isCancelled {
            wakeRequested = false
            return
        }
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            if !Task.isCancelled { self.wake() }
        }
        await withCheckedContinuation { sleeper = $0 }
        timer.cancel()
        wakeRequested = false
    }
}

extension LeaseClaim {
    /// A claim for this process: host, pid and a random suffix (a pid can be reused after a crash).
    public static func thisProcess() -> LeaseClaim {
        let host = ProcessInfo.processInfo.hostName
        let pid = getpid()
        return LeaseClaim(holder: "\(host):\(pid):\(Token.generate().prefix(8))", pid: pid, host: host)
    }
}
