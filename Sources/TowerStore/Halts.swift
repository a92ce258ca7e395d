import Foundation
import TowerCore

/// A halt on one task or on every task of one repository, beside the global freeze: kept in the
/// store until someone resumes it, for every engine on the store. A halted task finishes the step
/// it is in as far as its next outside effect and stops there, its state kept.
public struct Halt: Codable, Sendable, Equatable {
    /// What is halted.
    public enum Scope: String, Codable, Sendable {
        case task, repository
    }

    public var scope: Scope
    /// The task id, or the repository as `owner/name` in lower case.
    public var name: String
    /// Who paused it, and through which channel.
    public var by: String
    public var channel: String
    public var at: Date
    /// For a task that stopped because its repository was paused: that repository. Resuming the
    /// repository resumes it too.
    public var viaRepository: String?

    public init(scope: Scope, name: String, by: String, channel: String, at: Date, viaRepository: String? = nil) {
        self.scope = scope
        self.name = scope == .repository ? name.lowercased() : name
        self.by = by
        self.channel = channel
        self.at = at
        self.viaRepository = viaRepository?.lowercased()
    }

    /// What `pause X` and `resume X` mean by X: a task id (`t-…`) or a repository (`owner/name`).
    public static func target(_ text: String) -> (scope: Scope, name: String)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("t-"), !trimmed.contains("/") { return (.task, trimmed) }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { return nil }
        return (.repository, trimmed.lowercased())
    }

    /// The halt that stops `taskId` before an effect on `repository` (or on none, before a step),
    /// if any: the task's own first, then its repository's.
    public static func stopping(taskId: String, repository: String?, in halts: [Halt]) -> Halt? {
        if let own = halts.first(where: { $0.scope == .task && $0.name == taskId }) { return own }
        guard let repository = repository?.lowercased() else { return nil }
        return halts.first { $0.scope == .repository && $0.name == repository }
    }

    /// "acme/ledger (paused by dana via console)", for logs and answers.
    public var description: String {
        "\(scope == .task ? "task " : "")\(name) (paused by \(by) via \(channel)\(viaRepository.map { " with \($0)" } ?? ""))"
    }
}

/// A step met a halt before an outside effect. Not a failure: the engine gives the attempt back and
/// leaves the task where it is, under a halt of its own, until it is resumed.
public struct TaskPaused: Error, Sendable, Equatable, CustomStringConvertible {
    public var halt: Halt
    /// What it stopped before: "commit on acme/ledger", "plan-task 2".
    public var before: String

    public init(halt: Halt, before: String) {
        self.halt = halt
        self.before = before
    }

    public var description: String { "paused before \(before): \(halt.description)" }
}

/// Reads the halts before an outside effect; used by a running step (its forge, its loop).
public struct HaltCheck: Sendable {
    let store: any Store
    let taskId: String

    public init(store: any Store, taskId: String) {
        self.store = store
        self.taskId = taskId
    }

    /// Throws ``TaskPaused`` when the task, or `repository`, is halted now.
    public func check(repository: String?, before: String) async throws {
        if let halt = Halt.stopping(taskId: taskId, repository: repository, in: try await store.halts()) {
            throw TaskPaused(halt: halt, before: before)
        }
    }
}

/// What `resume` took off: the halts removed, the tasks it lets go on.
public struct ResumeOutcome: Sendable, Equatable {
    public var removed: [Halt]

    public init(removed: [Halt]) { self.removed = removed }

    /// The tasks it lets go on (their own halts, and those their repository's pause left).
    public var tasks: [String] { removed.filter { $0.scope == .task }.map(\.name) }
}

extension Halt {
    /// The runnable and claim queries' condition: a task with a halt of its own is not driven
    /// (a repository's pause reaches its tasks through the halt each one gets when it stops).
    static let notHalted = "NOT EXISTS (SELECT 1 FROM halts h WHERE h.scope = 'task' AND h.name = tasks.id)"
}

/// A console that is open, and the task it shows: "also open by" on the Approvals screen. It
/// expires when not renewed, and is never a lock.
public struct ConsolePresence: Codable, Sendable, Equatable {
    /// One per running console (a fresh id each start).
    public var consoleId: String
    public var user: String
    /// The task it has open (the task view, or the row under the cursor on the Approvals screen).
    public var taskId: String?
    public var seenAt: Date

    public init(consoleId: String, user: String, taskId: String?, seenAt: Date) {
        self.consoleId = consoleId
        self.user = user
        self.taskId = taskId
        self.seenAt = seenAt
    }

    /// A console not seen for this long is gone (it renews every few seconds).
    public static let expiry: TimeInterval = 30
}
