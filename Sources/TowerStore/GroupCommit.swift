import Foundation
import GRDB

/// Group commit: while one transaction is being written, the writes that arrive queue up, and
/// the next transaction takes them all. Sixteen drivers finishing steps at once cost one commit,
/// not sixteen; a lone write still goes at once. Each write runs in a savepoint of its own, so a
/// refused one (a conflict, a lost lease) fails alone and its caller gets its own error; a
/// transaction that fails fails every write in it. Callers resume only after the commit.
///
/// The queue is drained by a thread of the store's own, which holds the writer connection while
/// writes keep coming: once a batch commits, the writes that queued meanwhile go into the next
/// transaction at once. Handing each batch to the writer's dispatch queue instead costs two
/// thread wake-ups a commit (and dispatch's worker threads come and go), which on two cores
/// cost more than the commit; blocking a thread of Swift's cooperative pool on SQLite instead
/// would stall every task of the process while another process holds the write lock.
final class GroupCommit: @unchecked Sendable {
    /// One queued write: `run` does it inside the shared transaction and keeps its outcome;
    /// `finish` hands the caller that outcome, or the transaction's error.
    private struct Job {
        let run: (Database) -> Void
        let finish: ((any Error)?) -> Void
    }

    private let condition = NSCondition()
    private var pending: [Job] = []
    private var stopping = false
    private var count = 0
    /// The most writes one transaction takes (a bound on how long the writer is held).
    let limit: Int
    /// The most transactions committed before the writer connection is given back for a moment.
    let turns: Int
    /// Runs its argument on the writer connection, synchronously, outside any transaction.
    private let onWriter: @Sendable ((Database) -> Void) -> Void
    /// Told of every transaction that committed (the store's commit counter).
    private let committed: @Sendable () -> Void

    /// - Parameters:
    ///   - onWriter: runs a closure on the writer connection (GRDB's `writeWithoutTransaction`).
    ///   - committed: told of every transaction that committed.
    init(
        limit: Int = 128, turns: Int = 8, onWriter: @escaping @Sendable ((Database) -> Void) -> Void,
        committed: @escaping @Sendable () -> Void
    ) {
        self.limit = limit
        self.turns = turns
        self.onWriter = onWriter
        self.committed = committed
        let thread = Thread { [self] in self.serve() }
        thread.name = "tower-store-writer"
        thread.start()
    }

    /// Writes queued since the start (for tests that hold the writer until all are in).
    var submitted: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    /// Runs `body` in the next batch's `BEGIN IMMEDIATE` transaction and returns once that commits.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
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
            condition.lock()
            pending.append(job)
            count += 1
            condition.signal()
            condition.unlock()
        }
    }

    /// Ends the writer thread once the writes queued so far are done (the store is going away).
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// The writer thread: waits for writes, then commits batches while they keep coming.
    private func serve() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty {
                condition.unlock()
                return
            }
            condition.unlock()
            onWriter { db in self.drain(db) }
        }
    }

    /// Commits up to `turns` batches, each of the writes queued when it began.
    private func drain(_ db: Database) {
        for _ in 0..<turns {
            let batch = take(limit)
            guard !batch.isEmpty else { return }
            do {
                try db.inTransaction(.immediate) {
                    for job in batch { job.run(db) }
                    return .commit
                }
                committed()
                for job in batch { job.finish(nil) }
            } catch {
                for job in batch { job.finish(error) }
            }
        }
    }

    private func take(_ most: Int) -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        let batch = Array(pending.prefix(most))
        pending.removeFirst(batch.count)
        return batch
    }
}

/// Where a queued write keeps its outcome until the commit (written and read on the writer, in turn).
private final class OutcomeBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
