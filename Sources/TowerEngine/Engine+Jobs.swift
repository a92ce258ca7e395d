import Foundation
import TowerCore
import TowerStore

/// The scheduled jobs (the Sentry pass, the inbox, the plan watch): each started when due and
/// not already running; with claims, one worker at a time runs each.
extension Engine {
    /// Starts each scheduled job that is due and not already running. Frozen: none start.
    func scheduleJobs(now: Date) async throws {
        for job in workflow.jobs where jobRunners[job.name] == nil && now >= jobNotBefore[job.name, default: .distantPast] {
            let due = try await job.due(now: now)
            // Asked again when due, and at least every few seconds (another process may have run it).
            jobNotBefore[job.name] = min(due, now.addingTimeInterval(5))
            guard due <= now else { continue }
            let name = job.name
            let shared = configuration.sharing == .claims, store = store, claim = claim, ttl = configuration.leaseTTL
            jobRunners[name] = Task {
                var failure: String?
                do {
                    // Workers sharing a store run each job one at a time: the job's own lease,
                    // renewed while it runs, lapses within one claim expiry if its worker dies.
                    if shared {
                        guard try await store.acquireLease(named: "job:\(name)", claim, ttl: ttl, now: Date()) else {
                            self.jobFinished(name, failure: nil, retryAfter: 0)
                            return
                        }
                        let renewer = Task {
                            while !Task.isCancelled {
                                try await Task.sleep(nanoseconds: UInt64(ttl / 3 * 1e9))
                                _ = try await store.acquireLease(named: "job:\(name)", claim, ttl: ttl, now: Date())
                            }
                        }
                        defer { renewer.cancel() }
                        do {
                            try await TaskTracing.job(job)
                        } catch {
                            await Task { try? await store.releaseLease(named: "job:\(name)", holder: claim.holder) }.value
                            throw error
                        }
                        try await store.releaseLease(named: "job:\(name)", holder: claim.holder)
                    } else {
                        try await TaskTracing.job(job)
                    }
                } catch {
                    if !(error is CancellationError) { failure = "\(name): \(error)" }
                }
                self.jobFinished(name, failure: failure, retryAfter: job.retryDelay)
            }
        }
    }

    func jobFinished(_ name: String, failure: String?, retryAfter: TimeInterval) {
        jobRunners[name] = nil
        if let failure {
            lastError = failure
            jobNotBefore[name] = now().addingTimeInterval(retryAfter)
        } else {
            jobNotBefore[name] = nil
        }
    }
}
