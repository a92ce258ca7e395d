import Foundation
import TowerStore

/// Group commit for the listener: deliveries that arrive while a transaction is being written
/// wait for the next one, and each transaction stores all that waited. Every request is still
/// answered only after its own delivery is durably stored; under load one commit serves many.
actor InboxWriter {
    private let store: any Store
    private var waiting: [(delivery: WebhookDelivery, reply: CheckedContinuation<Bool, any Error>)] = []
    private var writing = false

    init(store: any Store) { self.store = store }

    /// Stores `delivery`; `true` if it was new, `false` if its id was already in the inbox.
    func store(_ delivery: WebhookDelivery) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((delivery, continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            do {
                // A delivery id twice in one batch: the first insert wins, the second is a duplicate.
                let fresh = try await store.enqueueDeliveries(batch.map(\.delivery))
                for (entry, isNew) in zip(batch, fresh) { entry.reply.resume(returning: isNew) }
            } catch {
                for entry in batch { entry.reply.resume(throwing: error) }
            }
        }
        writing = false
    }
}
