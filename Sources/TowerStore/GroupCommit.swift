import Foundation
import GRDB

/// Group commit: while one transaction is being written, the writes that arrive queue up, and
/// the next transaction takes them all. Sixteen drivers finishing steps at once cost one commit,
/// not sixteen; a lone write still goes at once. Each write runs in a savepoint of its own, so a
/// refused one (a conflict, a lost lease) fails alone and its caller gets its own error; a
/// transaction that fails fails every write in it. Callers resume only after the commit.
final class GroupCommit: @unchecked Sendable {
    /// One queued write: `run` does it inside the shared transaction and keeps its outcome;
    /// `finish` hands the caller that outcome, or the transaction's error.
    private struct Job {
        let run: (Database) -> Void
        let finish: ((any Error)?) -> Void
    }

    private let lock = NSLock()
    private var pending: [Job] = []
    private var draining = false
    /// The most writes one transaction takes (a bound on how long the writer is held).
    let limit: Int

    init(limit: Int = 128) {
        self.limit = limit
    }

    /// Writes queued since the start (for tests that hold the writer until all are in).
    var submitted: Int { lock.withLock { count } }
    private var count = 0

    /// Runs `body` in the next batch's transaction, through `transaction` (which writes one
    /// transaction and calls its argument inside it), and returns once that commits.
    func write<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T, transaction: @escaping @Sendable (@escaping @Sendable (Database) -> Void) async throws -> Void
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = OutcomeBox<T>()
            let job = Job(
                run: { db in
                    outcome.value = Result {
                        var value: T?
                        try db.inSavepoint {
                            value = try body(db)
                            return .commit
                        }
                        return value!
                    }
                },
                finish: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(with: outcome.value ?? .failure(CancellationError())) }
                })
            let start = lock.withLock { () -> Bool in
                pending.append(job)
                count += 1
                if draining { return false }
                draining = true
                return true
            }
            if start { Task { await self.drain(transaction) } }
        }
    }

    private func drain(_ transaction: @Sendable (@escaping @Sendable (Database) -> Void) async throws -> Void) async {
        while true {
            let batch = lock.withLock { () -> [Job] in
                let batch = Array(pending.prefix(limit))
                pending.removeFirst(batch.count)
                if batch.isEmpty { draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let jobs = UncheckedJobs(jobs: batch)
            do {
                try await transaction { db in for job in jobs.jobs { job.run(db) } }
                for job in batch { job.finish(nil) }
            } catch {
                for job in batch { job.finish(error) }
            }
        }
    }

    /// The batch as the writer's closure holds it (it runs on GRDB's writer queue, one at a time).
    private struct UncheckedJobs: @unchecked Sendable { let jobs: [Job] }
}

/// Where a queued write keeps its outcome until the commit (written and read on the writer, in turn).
private final class OutcomeBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
