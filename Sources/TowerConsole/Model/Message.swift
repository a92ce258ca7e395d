import Foundation
import TowerCore
import TowerEngine
import TowerStore

/// Everything that can change the console's state: keys, time, size, and data arriving from
/// the engine and the store.
public enum Message: Sendable {
    case key(Key)
    /// A click or a wheel turn (when mouse reporting is on).
    case mouse(MouseEvent)
    case resize(Size)
    case tick(Date)
    /// Every task, as the store has them now.
    case tasksLoaded([TowerTask])
    /// Some tasks changed.
    case tasksChanged([TowerTask])
    /// A page of a task's log: the latest lines (`older == false`) or lines before the window.
    case logLoaded(taskId: String, lines: [TaskEvent], total: Int, older: Bool)
    /// New log lines, of any task.
    case logAppended([TaskEvent])
    case previewLoaded(taskId: String, lines: [TaskEvent])
    case detailLoaded(TaskDetail)
    case outboxLoaded([OutboxMessage])
    case sentryLoaded(passes: [SentryPass], fingerprints: [SentryFingerprint])
    case deliveriesLoaded([WebhookDelivery])
    case workersLoaded([WorkerRecord])
    /// The latest audit records, oldest first (the store's order).
    case auditLoaded([AuditRecord])
    /// The tasks waiting for a person, oldest first.
    case waitingLoaded([WaitingItem])
    case freezeChanged(FreezeState)
    /// The pauses in force, oldest first.
    case haltsChanged([Halt])
    /// The shift hand-off for the Digest screen.
    case digestLoaded(ShiftDigest)
    /// Which tasks other consoles have open, and by whom (this console left out).
    case presenceChanged([String: [String]])
    /// What each task's model calls cost, and all tasks' today (UTC).
    case spendLoaded([String: Spend], today: Spend)
    case healthChanged(Health)
    /// A round of integration checks came back (`:doctor`, or the periodic check).
    case integrationsChecked([Health.Integration])
    /// An action finished: what to tell the operator.
    case actionFinished(StatusMessage)
    case themeChanged(String)
}

/// What `update` asks the runtime to do: I/O stays out of the pure core.
public enum Effect: Equatable, Sendable {
    case approve(taskId: String, note: String?)
    case reject(taskId: String, reason: String?)
    case retry(taskId: String)
    /// Add dollars to a task's budget; `nil` stops it instead.
    case grantBudget(taskId: String, amount: Double?)
    case start(ticketId: String?, description: String?)
    case setFrozen(Bool)
    /// `pause` or `resume` a task id or `owner/name`.
    case pause(target: String)
    case resume(target: String)
    /// Load the latest `count` lines, or `count` lines before a sequence number.
    case loadLog(taskId: String, before: Int64?, count: Int)
    case loadPreview(taskId: String)
    case loadDetail(taskId: String)
    case loadOutbox
    case loadSentry
    case loadDeliveries
    case loadWorkers
    case loadAudit
    case loadWaiting
    /// The hand-off reaching back this many seconds.
    case loadDigest(reach: TimeInterval)
    /// Put a delivery back in the inbox's line.
    case redeliver(id: String)
    /// Put `text` on the clipboard (tmux's buffer inside tmux, else OSC 52); `what` names it.
    case copy(text: String, what: String)
    case setTheme(String)
    /// Checks every integration now (the same calls as `tower doctor`).
    case checkIntegrations
    case bell
    case redraw
    case quit
}
