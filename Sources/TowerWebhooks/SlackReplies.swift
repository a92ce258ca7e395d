import Foundation
import TowerCore
import TowerEngine

/// What Slack users are told, at once (within Slack's 3 s) and after.
enum SlackReplies {
    static let help = """
        `/agent status ID`: a task's state and its latest lines
        `/agent approve ID [note]`: approve a plan
        `/agent reject ID reason`: reject a plan
        `/agent retry ID`: retry a failed task at its failed step
        `/agent budget ID +5` or `stop`: grant a task waiting for model budget more, or stop it
        `/agent pause ID` or `pause owner/repo`: stop a task, or a repository's tasks, before their next outside effect
        `/agent resume ID` or `resume owner/repo`: let them go on where they stopped
        `/agent list [status]`: the newest tasks
        `/agent list waiting`: every task waiting for a person, oldest first, with why
        `/agent help`: this list
        """

    /// `/agent list waiting`: the console's Approvals queue, one line a task, oldest first.
    static func waiting(_ queue: [WaitingItem], now: Date) -> String {
        guard !queue.isEmpty else { return "Nobody is waited for." }
        return queue.prefix(20).map { item in
            "`\(item.task.id)` \(item.task.ticketId ?? "-") waiting \(Age.short(now.timeIntervalSince(item.since))): \(item.why)"
                + (item.estimate.map { " (\($0))" } ?? "") + " — \(item.task.title)"
        }.joined(separator: "\n") + (queue.count > 20 ? "\n… and \(queue.count - 20) more: the console's Approvals screen (A) has them all" : "")
    }

    /// The immediate, ephemeral answer to a slash command.
    static func acknowledgement(command: String, text: String) -> String {
        let word = text.split(separator: " ").first.map { String($0).lowercased() } ?? ""
        if word.isEmpty || word == "help" { return help }
        return "⏳ `\(command) \(text.prefix(200))`: on it; the answer follows here."
    }
}
