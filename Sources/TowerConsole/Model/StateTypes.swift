import Foundation
import TowerCore
import TowerEngine
import TowerStore

/// Which screen is showing.
public enum Screen: Equatable, Sendable {
    case board
    case task(String)
    case outbox
    /// The Sentry monitor's passes and the bugs it filed.
    case sentry
    /// The webhook inbox and the listener's counts.
    case deliveries
    /// The workers sharing a PostgreSQL store: host, pid, state, tasks held, last heartbeat.
    case workers
    /// The audit trail: who decided what, through which channel; the effects Tower caused.
    case audit
    /// Every task waiting for a person, oldest first, with why.
    case approvals
    /// The shift hand-off: completed, waiting, failed, escalated, Sentry bugs, cost, decisions.
    case digest
}

/// The board's groups, shown as tabs with counts.
public enum BoardGroup: String, CaseIterable, Sendable {
    case all, needsApproval, running, failed, done

    public var title: String {
        switch self {
        case .all: "All"
        case .needsApproval: "Needs approval"
        case .running: "Running"
        case .failed: "Failed"
        case .done: "Done"
        }
    }

    public func contains(_ status: TaskStatus) -> Bool {
        switch self {
        case .all: true
        case .needsApproval: status.waitsForPerson
        case .running: status.isActive
        case .failed: status == .failed
        case .done: status == .completed || status == .rejected
        }
    }
}

/// The board's sort orders, cycled with `s`.
public enum SortOrder: String, CaseIterable, Sendable {
    case updated, created, status, ticket
}

/// The task screen's tabs.
public enum TaskTab: String, CaseIterable, Sendable {
    case log, plan, diff, discovery, ci, timeline, llm

    public var title: String {
        switch self {
        case .log: "Log"
        case .plan: "Plan"
        case .diff: "Diff"
        case .discovery: "Discovery"
        case .ci: "CI"
        case .timeline: "Timeline"
        case .llm: "LLM"
        }
    }
}

/// A one-line text input (filter, command line, search, a dialog's note).
public struct TextField: Equatable, Sendable {
    public var text: String

    public init(_ text: String = "") { self.text = text }

    /// Applies an editing key; `false` if the key is not an edit.
    mutating func edit(_ key: Key) -> Bool {
        switch key {
        case .character(let c):
            text.append(c)
        case .backspace:
            if !text.isEmpty { text.removeLast() }
        case .control("u"):
            text = ""
        case .control("w"):
            while text.last == " " { text.removeLast() }
            while let last = text.last, last != " " { text.removeLast() }
        default:
            return false
        }
        return true
    }
}

/// A modal question. Destructive ones open with Cancel focused.
public struct Dialog: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case approve(taskId: String)
        case reject(taskId: String)
        /// Several plans picked on the Approvals screen: one note, a decision recorded for each.
        case approveMany([String])
        case rejectMany([String])
        case retry(taskId: String)
        /// Grant the amount typed (or stop, with `stop`).
        case budget(taskId: String)
        case freeze(on: Bool)
        case quit
    }

    public var kind: Kind
    public var title: String
    public var lines: [String]
    /// The note or reason, for approve and reject.
    public var field: TextField?
    public var fieldLabel: String?
    public var confirmLabel: String
    /// `true` when the confirm button has focus; dialogs open on Cancel.
    public var confirmFocused = false
}

/// A line for the operator in the footer: a command's result or an error.
public struct StatusMessage: Equatable, Sendable {
    public enum Level: Sendable { case info, error }
    public var text: String
    public var level: Level

    public init(text: String, level: Level) {
        self.text = text
        self.level = level
    }
}

/// The loaded part of a task's log: a bounded window of lines, never the whole log.
public struct LogBuffer: Equatable, Sendable {
    public var taskId: String
    public var lines: [TaskEvent] = []
    /// Lines the store holds for the task.
    public var total = 0
    public var follow = true
    public var wrap = false
    public var timestamps = true
    /// Index in `lines` of the top row when not following.
    public var top = 0
    public var search: String?
    /// Whether `lines` starts at the task's first line.
    public var reachedStart = false
    /// At most this many lines are kept in memory.
    public var capacity = 2000

    public init(taskId: String) { self.taskId = taskId }
}

/// A file's unified diff.
public struct FileDiff: Equatable, Sendable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// What the task screen shows besides the log, loaded when the task is opened or changes.
public struct TaskDetail: Equatable, Sendable {
    public var taskId: String
    public var approval: Approval?
    public var plan: String?
    public var planVersions = 0
    public var diffs: [FileDiff] = []
    public var discovery: DiscoveryResult?
    public var discoveryError: String?
    /// CI cycles: the cycle, its outcome line and a line per CI run (classes and the fix or escalation).
    public var ciCycles: [CICycle] = []
    /// Transitions, approvals and operator actions, oldest first.
    public var timeline: [TaskEvent] = []
    /// Every LLM call the agents made for the task, oldest first.
    public var llmCalls: [LLMCallRecord] = []

    public init(taskId: String) { self.taskId = taskId }
}

/// One round of CI for a task.
public struct CICycle: Equatable, Sendable {
    public var cycle: Int
    public var outcome: String
    public var logs: [String]

    public init(cycle: Int, outcome: String, logs: [String]) {
        self.cycle = cycle
        self.outcome = outcome
        self.logs = logs
    }
}

/// Integration and engine health for the health line.
public struct Health: Equatable, Sendable {
    public enum EngineMode: Equatable, Sendable {
        case runningHere
        case watching(holder: String)
        case none
    }

    /// One service on the health line.
    public struct Integration: Equatable, Sendable {
        /// What the last check said.
        public enum Condition: Equatable, Sendable {
            case notConfigured
            /// Configured, not checked yet.
            case unchecked
            /// Answered; `headroom` is the rate limit left, when the service says.
            case ok(headroom: String?)
            /// The service's error, or why it could not be reached.
            case failed(String)
        }

        public var name: String
        public var condition: Condition

        public var configured: Bool { condition != .notConfigured }

        public init(name: String, condition: Condition) {
            self.name = name
            self.condition = condition
        }
    }

    public var engine: EngineMode
    public var integrations: [Integration]
    /// LLM spend today, when any was recorded.
    public var llm: String?
    /// The last Sentry pass, when there was one: the line shows when, and its error if it failed.
    public var sentryPass: SentryPass?
    /// The webhook listener in this process, when there is one.
    public var listener: ListenerReport?

    public init(engine: EngineMode = .none, integrations: [Integration] = [], llm: String? = nil, sentryPass: SentryPass? = nil) {
        self.engine = engine
        self.integrations = integrations
        self.llm = llm
        self.sentryPass = sentryPass
    }
}
