import Foundation
import TowerCore
import TowerEngine
import TowerStore

/// The list screens: the outbox, Sentry, deliveries, workers and the audit trail. Each opens at
/// its newest row, moves a selection, and loads its data as it opens.
extension Console {
    static func showList(_ action: Action, _ state: inout AppState) -> [Effect] {
        switch action {
        case .outbox:
            state.screen = .outbox
            state.outboxTop = 0
            return [.loadOutbox]
        case .sentry:
            state.screen = .sentry
            state.sentryTop = 0
            return [.loadSentry]
        case .deliveries:
            state.screen = .deliveries
            state.deliveriesTop = 0
            return [.loadDeliveries]
        case .workers:
            state.screen = .workers
            state.workersTop = 0
            return [.loadWorkers]
        case .audit:
            state.screen = .audit
            state.auditTop = 0
            return [.loadAudit]
        case .approvals:
            state.screen = .approvals
            state.waitingTop = 0
            return [.loadWaiting]
        default:
            return []
        }
    }

    static func moveList(by delta: Int, _ state: inout AppState) {
        func moved(_ top: Int, count: Int) -> Int { min(max(0, top + max(-100_000, min(100_000, delta))), max(0, count - 1)) }
        switch state.screen {
        case .outbox: state.outboxTop = moved(state.outboxTop, count: state.outbox.count)
        case .sentry: state.sentryTop = moved(state.sentryTop, count: state.sentryFingerprints.count)
        case .deliveries: state.deliveriesTop = moved(state.deliveriesTop, count: state.deliveries.count)
        case .workers: state.workersTop = moved(state.workersTop, count: state.workers.count)
        case .audit: state.auditTop = moved(state.auditTop, count: state.visibleAudit.count)
        case .approvals: state.waitingTop = moved(state.waitingTop, count: state.waiting.count)
        case .digest:
            let lines = state.digest.map { DigestText.lines($0, now: state.now).count } ?? 0
            state.digestTop = moved(state.digestTop, count: max(0, lines - Layout.bodyRows(state) + 1))
        case .board, .task: break
        }
    }

    /// `:digest [12h]`: the shift hand-off reaching back `reach` seconds.
    static func showDigest(reach: TimeInterval, _ state: inout AppState) -> [Effect] {
        state.screen = .digest
        state.digestTop = 0
        state.digestReach = reach
        return [.loadDigest(reach: reach)]
    }

    /// `R` on the Deliveries screen: the selected delivery processed again.
    static func redeliver(_ state: inout AppState) -> [Effect] {
        guard state.screen == .deliveries, state.deliveries.indices.contains(state.deliveriesTop) else { return [] }
        return [.redeliver(id: state.deliveries[state.deliveriesTop].id)]
    }

    /// New deliveries keep the selected one selected.
    static func deliveriesLoaded(_ deliveries: [WebhookDelivery], _ state: inout AppState) {
        let selected = state.deliveries.indices.contains(state.deliveriesTop) ? state.deliveries[state.deliveriesTop].id : nil
        state.deliveries = deliveries
        state.deliveriesTop = selected.flatMap { id in deliveries.firstIndex { $0.id == id } } ?? min(state.deliveriesTop, max(0, deliveries.count - 1))
    }
}
