import Foundation
import PostgresNIO

/// Group commit on PostgreSQL, as ``GroupCommit`` does on SQLite: while one transaction is being
/// written, the engine's task updates that arrive queue up, and the next transaction takes them
/// all (one commit, one WAL flush, for many drivers finishing steps at once).
///
/// No savepoint per update: an update's checks (the task's state, its claim, the lease) are
/// reads that refuse it with a ``StoreError`` before it writes anything, which leaves the
/// transaction healthy for the others. Any other error (the server's: a constraint, a
/// deadlock) fails the batch; then it is rolled back and each update is run again in a
/// transaction of its own, so one update's failure is its own.
final class PostgresGroupCommit: @unchecked Sendable {
    private struct Job {
        let run: (PostgresConnection) async throws -> Void
        let finish: ((any Error)?) -> Void
    }

    private let lock = NSLock()
    private var pending: [Job] = []
    private var drainers = 0
    /// The most updates one transaction takes.
    let limit: Int
    /// Transactions written at once, each on a connection of its own: PostgreSQL runs them in
    /// parallel (their tasks differ: one driver per task), where one would leave the server's
    /// other cores idle while it waits for each round trip.
    let inFlight: Int

    init(limit: Int = 64, inFlight: Int = 4) {
        self.limit = limit
        self.inFlight = max(1, inFlight)
    }

    /// Updates queued since the start (for tests that hold a transaction until all are in).
    var submitted: Int { lock.withLock { count } }
    private var count = 0

    /// Runs `body` in the next batch's transaction (through `transaction`, which runs its
    /// argument in one transaction) and returns once that commits.
    func write<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T,
        transaction: @escaping @Sendable (@escaping @Sendable (PostgresConnection) async throws -> Void) async throws -> Void
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Box<T>()
            let job = Job(
                run: { connection in
                    // A refusal (a StoreError) is decided before anything is written: it is
                    // this update's answer. Anything else may have written part of it, and
                    // fails the batch.
                    do {
                        outcome.value = .success(try await body(connection))
                    } catch let refusal as StoreError {
                        outcome.value = .failure(refusal)
                    }
                },
                finish: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(with: outcome.value ?? .failure(CancellationError())) }
                })
            let start = lock.withLock { () -> Bool in
                pending.append(job)
                count += 1
                if drainers >= inFlight { return false }
                drainers += 1
                return true
            }
            if start { Task { await self.drain(transaction) } }
        }
    }

    private func drain(_ transaction: @escaping @Sendable (@escaping @Sendable (PostgresConnection) async throws -> Void) async throws -> Void) async {
        while true {
            let batch = lock.withLock { () -> [Job] in
                let batch = Array(pending.prefix(limit))
                pending.removeFirst(batch.count)
                if batch.isEmpty { drainers -= 1 }
                return batch
            }
            guard !batch.isEmpty else { return }
            let jobs = Jobs(jobs: batch)
            do {
                try await transaction { connection in for job in jobs.jobs { try await job.run(connection) } }
                for job in batch { job.finish(nil) }
            } catch where batch.count > 1 {
                // The server refused something: each alone, so only the one at fault fails.
                for job in batch {
                    let alone = Jobs(jobs: [job])
                    do {
                        try await transaction { connection in try await alone.jobs[0].run(connection) }
                        job.finish(nil)
                    } catch {
                        job.finish(error)
                    }
                }
            } catch {
                batch[0].finish(error)
            }
        }
    }

    private struct Jobs: @unchecked Sendable { let jobs: [Job] }

    private final class Box<T>: @unchecked Sendable {
        var value: Result<T, any Error>?
    }
}
