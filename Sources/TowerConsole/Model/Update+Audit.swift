import Foundation
import TowerCore
import TowerStore

/// The Audit screen: the latest decisions and effects from the store's audit trail, newest first,
/// filtered by person, task, channel or action (every word of the filter must match one of them).
extension Console {
    /// Records arrive oldest first (the store's order); the screen shows them newest first and
    /// keeps the selected record selected.
    static func auditLoaded(_ records: [AuditRecord], _ state: inout AppState) {
        let selected = state.visibleAudit[safe: state.auditTop]?.sequence
        state.audit = records.reversed()
        state.auditTop = selected.flatMap { sequence in state.visibleAudit.firstIndex { $0.sequence == sequence } }
            ?? min(state.auditTop, max(0, state.visibleAudit.count - 1))
    }

    static func filterAudit(_ text: String, _ state: inout AppState) {
        state.auditFilter = text
        state.auditTop = 0
    }

    /// Whether `record` passes `filter`: each word matches its person, task, channel or action.
    static func auditMatches(_ record: AuditRecord, _ filter: String) -> Bool {
        let fields = [record.user, record.taskId ?? "", record.channel, record.action]
        return filter.split(separator: " ").allSatisfy { word in fields.contains { matches($0, String(word)) } }
    }
}
