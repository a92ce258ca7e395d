import Foundation

/// Severity of an agent log line.
public enum LogLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case debug, info, warning, error

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// One line of a task's append-only log: what the console streams and the timeline shows.
public struct TaskEvent: Codable, Sendable, Equatable {
    /// Position in the store's log (monotonic across all tasks); `nil` before it is stored.
    public var sequence: Int64?
    public var taskId: String
    public var at: Date
    public var level: LogLevel
    public var agent: String
    public var message: String
    /// A transition, decision or operator action: what the console's Timeline lists.
    public var milestone: Bool

    public init(sequence: Int64? = nil, taskId: String, at: Date, level: LogLevel, agent: String, message: String, milestone: Bool = false) {
        self.sequence = sequence
        self.taskId = taskId
        self.at = at
        self.level = level
        self.agent = agent
        self.message = message
        self.milestone = milestone
    }
}
