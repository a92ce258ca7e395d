import Foundation
import TowerStore

/// This console's presence on the store: which task it has open, said again every few seconds
/// (or at once when it changes) so that other consoles show "also open by"; and what the others
/// have open. Presence is a courtesy, never a lock: a row not renewed expires.
struct PresenceBeacon: Sendable {
    /// A fresh id per running console: two consoles of one person are two rows.
    let consoleId: String
    let user: String
    /// How often an unchanged presence is said again (well inside ``ConsolePresence/expiry``).
    var every: TimeInterval = 5
    private(set) var said: (taskId: String?, at: Date)?

    init(user: String, consoleId: String = "console-\(UUID().uuidString.prefix(12).lowercased())") {
        self.user = user
        self.consoleId = consoleId
    }

    /// Whether to say where this console is now: it moved, or it is time to renew.
    func due(taskId: String?, now: Date) -> Bool {
        guard let said else { return true }
        return said.taskId != taskId || now.timeIntervalSince(said.at) >= every
    }

    mutating func sent(taskId: String?, at: Date) { said = (taskId, at) }

    /// The record to store for this console now.
    func presence(taskId: String?, now: Date) -> ConsolePresence {
        ConsolePresence(consoleId: consoleId, user: user, taskId: taskId, seenAt: now)
    }

    /// Who else has each task open: other consoles' live rows, by task, names sorted and once.
    func others(_ all: [ConsolePresence]) -> [String: [String]] {
        var open: [String: Set<String>] = [:]
        for row in all where row.consoleId != consoleId {
            if let task = row.taskId { open[task, default: []].insert(row.user) }
        }
        return open.mapValues { $0.sorted() }
    }
}
