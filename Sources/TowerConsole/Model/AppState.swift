import Foundation
import TowerCore
import TowerEngine
import TowerStore

/// Everything the console shows, as one value: `update` changes it, `ConsoleView` draws it.
public struct AppState: Equatable, Sendable {
    public var size: Size
    public var now: Date
    /// The operator, recorded with every action.
    public var user: String
    public var glyphs: Glyphs
    public var keyMap = KeyMap.standard

    public var tasks: [String: TowerTask] = [:]
    /// What each task's model calls cost (tasks with calls only), and all tasks' today (UTC).
    public var spend: [String: Spend] = [:]
    public var spendToday = Spend()
    /// Ids on the board, in display order (group, filter and sort applied).
    public private(set) var visible: [String] = []
    /// Tasks per status, counted by ``relist()``: the board's group tabs read it every frame.
    public private(set) var statusCounts: [TaskStatus: Int] = [:]
    public var screen: Screen = .board
    public var group: BoardGroup = .all
    public var sort: SortOrder = .updated
    public var filter = ""
    public var selection: String?
    public var boardTop = 0

    public var tab: TaskTab = .log
    public var log: LogBuffer?
    public var preview: [TaskEvent] = []
    public var previewTaskId: String?
    public var detail: TaskDetail?
    public var scroll = 0
    public var diffFile = 0

    public var prompt: Prompt?
    public var dialog: Dialog?
    public var showHelp = false
    /// Lines shown above the keys in the help: what to do first (the demo's walk-through).
    public var guide: [String] = []
    public var status: StatusMessage?

    public var freeze = FreezeState(frozen: false)
    /// The pauses of tasks and repositories in force, oldest first.
    public var halts: [Halt] = []
    /// Who else (other consoles on the store) has each task open: "also open by".
    public var openElsewhere: [String: [String]] = [:]
    public var health = Health()
    public var outbox: [OutboxMessage] = []
    public var outboxTop = 0
    /// The last Sentry passes, newest first, and the fingerprints on record.
    public var sentryPasses: [SentryPass] = []
    public var sentryFingerprints: [SentryFingerprint] = []
    public var sentryTop = 0
    /// The newest webhook deliveries; the one at `deliveriesTop` is selected.
    public var deliveries: [WebhookDelivery] = []
    public var deliveriesTop = 0
    /// The workers on the store, newest heartbeat first (PostgreSQL; none on SQLite).
    public var workers: [WorkerRecord] = []
    public var workersTop = 0
    /// The latest audit records, newest first; the one at `auditTop` of ``visibleAudit`` is selected.
    public var audit: [AuditRecord] = []
    public var auditTop = 0
    /// The Audit screen's filter: words that must each match a record's person, task, channel or action.
    public var auditFilter = ""

    /// The tasks waiting for a person, oldest first; the one at `waitingTop` is selected.
    public var waiting: [WaitingItem] = []
    public var waitingTop = 0
    /// Tasks picked (space) on the Approvals screen, to approve or reject together.
    public var picked: Set<String> = []

    /// The hand-off the Digest screen shows, how far back it reaches, and its first line shown.
    public var digest: ShiftDigest?
    public var digestReach: TimeInterval = 12 * 3600
    public var digestTop = 0

    /// The pause that holds `taskId`, if any (its own, or the one its repository's pause left).
    public func halt(of taskId: String) -> Halt? {
        halts.first { $0.scope == .task && $0.name == taskId }
    }

    /// The task this console has open, for the others' "also open by": the task view's, or the
    /// Approvals row under the cursor.
    public var openTaskId: String? {
        switch screen {
        case .task(let id): return id
        case .approvals: return waiting.indices.contains(waitingTop) ? waiting[waitingTop].task.id : nil
        default: return nil
        }
    }

    /// The audit records the filter lets through, newest first.
    public var visibleAudit: [AuditRecord] {
        auditFilter.isEmpty ? audit : audit.filter { Console.auditMatches($0, auditFilter) }
    }
    /// Tasks that started waiting for approval, failed or escalated since the operator last looked.
    public var attention: Set<String> = []
    public var bellOnAttention = true
    public var theme: String
    public var themes: [String]
    public var quitting = false

    /// What the footer line is collecting.
    public enum Prompt: Equatable, Sendable {
        case filter(TextField)
        case command(TextField)
        case search(TextField)
    }

    public init(size: Size, now: Date, user: String, glyphs: Glyphs = .unicode, theme: String = "dark", themes: [String] = ["dark"]) {
        self.size = size
        self.now = now
        self.user = user
        self.glyphs = glyphs
        self.theme = theme
        self.themes = themes
    }

    /// The selected task, if any.
    public var selectedTask: TowerTask? { selection.flatMap { tasks[$0] } }

    /// Tasks per board group, for the tab counts.
    public func count(of group: BoardGroup) -> Int { statusCounts.reduce(0) { $0 + (group.contains($1.key) ? $1.value : 0) } }

    /// What the board sorts by, without the rest of a task: sorting 10,000 of these moves a
    /// fifth of the bytes whole tasks would.
    private struct SortKey {
        let id: String
        let ticketId: String?
        let status: TaskStatus
        let createdAt: Date
        let updatedAt: Date
    }

    /// Recomputes `visible` and the counts after tasks, group, filter or sort changed; keeps the
    /// selection when it can. Tasks are read in place (by index), never copied whole.
    mutating func relist() {
        let terms = filter.split(separator: " ").map(String.init)
        var counts: [TaskStatus: Int] = [:]
        var list: [SortKey] = []
        list.reserveCapacity(tasks.count)
        let values = tasks.values
        for index in values.indices {
            let status = values[index].status
            counts[status, default: 0] += 1
            guard group.contains(status), terms.isEmpty || Self.matches(values[index], terms) else { continue }
            list.append(
                SortKey(id: values[index].id, ticketId: values[index].ticketId, status: status, createdAt: values[index].createdAt, updatedAt: values[index].updatedAt))
        }
        statusCounts = counts
        switch sort {
        case .updated: list.sort { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
        case .created: list.sort { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        case .status: list.sort { ($0.status, $1.updatedAt, $0.id) < ($1.status, $0.updatedAt, $1.id) }
        case .ticket: list.sort { ($0.ticketId ?? "~", $0.id) < ($1.ticketId ?? "~", $1.id) }
        }
        visible = list.map(\.id)
        if let selection, visible.contains(selection) { return }
        selection = visible.first
        boardTop = 0
    }

    /// Smart case: a term with a capital letter matches case-sensitively, others ignore case;
    /// every term must match the id, ticket, title or status.
    static func matches(_ task: TowerTask, _ terms: [String]) -> Bool {
        guard !terms.isEmpty else { return true }
        let fields = [task.id, task.ticketId ?? "", task.title, task.status.rawValue]
        return terms.allSatisfy { term in
            let sensitive = term.contains { $0.isUppercase }
            return fields.contains { sensitive ? $0.contains(term) : $0.lowercased().contains(term.lowercased()) }
        }
    }

    /// The key contexts in force, most specific first.
    public var contexts: [KeyContext] {
        switch screen {
        case .board: [.board, .global]
        case .task:
            switch tab {
            case .log: [.log, .task, .global]
            case .diff: [.diff, .task, .global]
            default: [.task, .global]
            }
        case .outbox: [.outbox, .global]
        case .sentry: [.sentry, .global]
        case .deliveries: [.deliveries, .global]
        case .workers: [.workers, .global]
        case .audit: [.audit, .global]
        case .approvals: [.approvals, .global]
        case .digest: [.digest, .global]
        }
    }
}
