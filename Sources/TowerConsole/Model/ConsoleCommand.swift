import TowerCore
import TowerStore

/// The `:` command line: the same commands as `tower agent …`, plus the console's own.
public enum ConsoleCommand {
    /// Every command, as data: `:help` and the docs list them.
    public static let reference: [(usage: String, summary: String)] = [
        ("approve ID [NOTE]", "approve a plan"),
        ("reject ID [REASON]", "reject a plan"),
        ("retry ID", "retry a failed task at its failed step"),
        ("status ID", "open a task"),
        ("list [STATUS]", "the board, optionally filtered by status"),
        ("run KEY | run --ticket KEY | run --description TEXT", "start a workflow"),
        ("freeze | unfreeze", "stop or resume new runs, pushes and auto-fixes"),
        ("pause | resume [ID|OWNER/REPO]", "halt a task or a repository before its next outside effect, or let it go on"),
        ("theme NAME", "switch the colour theme"),
        ("outbox", "Slack and Jira messages"),
        ("sentry", "the Sentry monitor's passes and the bugs it filed"),
        ("deliveries", "the webhook inbox and the listener"),
        ("workers", "every engine sharing the store: host, state, tasks held, heartbeat"),
        ("audit [WHO|TASK…]", "the audit trail, filtered by person, task, channel or action"),
        ("approvals", "every task waiting for a person, oldest first"),
        ("digest [12h|90m|2d]", "the shift hand-off: completed, waiting, failed, escalated, Sentry bugs, cost, decisions"),
        ("doctor", "check every integration now (as `tower doctor`)"),
        ("help", "keys and commands"),
        ("quit", "leave the console"),
    ]

    static func run(_ line: String, _ state: inout AppState) -> [Effect] {
        let words = split(line)
        guard let command = words.first?.lowercased() else { return [] }
        let rest = Array(words.dropFirst())
        func fail(_ text: String) -> [Effect] {
            state.status = StatusMessage(text: text, level: .error)
            return []
        }
        func needsID() -> String? { rest.first }
        switch command {
        case "approve", "reject":
            guard let id = needsID() else { return fail("usage: \(command) ID [\(command == "approve" ? "NOTE" : "REASON")]") }
            guard state.tasks[id] != nil else { return fail("no task with id \(id)") }
            let text = rest.dropFirst().joined(separator: " ")
            return command == "approve" ? [.approve(taskId: id, note: text.isEmpty ? nil : text)] : [.reject(taskId: id, reason: text.isEmpty ? nil : text)]
        case "retry":
            guard let id = needsID() else { return fail("usage: retry ID") }
            guard state.tasks[id] != nil else { return fail("no task with id \(id)") }
            return [.retry(taskId: id)]
        case "status", "open":
            guard let id = needsID() else { return fail("usage: status ID") }
            guard state.tasks[id] != nil else { return fail("no task with id \(id)") }
            state.selection = id
            return Console.perform(.open, &state)
        case "list", "board":
            state.screen = .board
            state.log = nil
            state.detail = nil
            state.group = .all
            if let status = rest.first {
                guard TaskStatus(rawValue: status) != nil else {
                    return fail("unknown status \(status); one of: \(TaskStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state.filter = status
            } else {
                state.filter = ""
            }
            state.relist()
            return []
        case "run":
            if rest.first == "--description" {
                let text = rest.dropFirst().joined(separator: " ")
                return text.isEmpty ? fail("usage: run --description TEXT") : [.start(ticketId: nil, description: text)]
            }
            let key = rest.first == "--ticket" ? rest.dropFirst().first : rest.first
            guard let key, !key.hasPrefix("-") else { return fail("usage: run KEY | run --ticket KEY | run --description TEXT") }
            return [.start(ticketId: key, description: nil)]
        case "pause", "resume":
            // Alone: the task open, or the one under the cursor.
            let target = rest.first ?? state.openTaskId ?? state.selection
            guard let target else { return fail("usage: \(command) ID | \(command) OWNER/REPO") }
            guard Halt.target(target) != nil else { return fail("\(target) is neither a task id (t-…) nor a repository (owner/name)") }
            return command == "pause" ? [.pause(target: target)] : [.resume(target: target)]
        case "freeze": return [.setFrozen(true)]
        case "unfreeze", "thaw": return [.setFrozen(false)]
        case "theme":
            guard let name = rest.first else { return fail("themes: \(state.themes.joined(separator: ", "))") }
            guard state.themes.contains(name) else { return fail("no theme \(name); themes: \(state.themes.joined(separator: ", "))") }
            return [.setTheme(name)]
        case "outbox": return Console.perform(.outbox, &state)
        case "workers": return Console.perform(.workers, &state)
        case "approvals": return Console.perform(.approvals, &state)
        case "digest", "handoff":
            guard let reach = rest.first.map(AuditExport.duration) ?? 12 * 3600 else { return fail("usage: digest [12h|90m|2d]") }
            return Console.showDigest(reach: reach, &state)
        case "audit":
            let effects = Console.perform(.audit, &state)
            Console.filterAudit(rest.joined(separator: " "), &state)
            return effects
        case "sentry": return Console.perform(.sentry, &state)
        case "deliveries": return Console.perform(.deliveries, &state)
        case "doctor":
            state.status = StatusMessage(text: "checking integrations…", level: .info)
            return [.checkIntegrations]
        case "help", "?":
            state.showHelp = true
            return []
        case "q", "quit": return Console.perform(.quit, &state)
        default:
            return fail("unknown command \(command); :help lists them")
        }
    }

    /// Words, with "double" or 'single' quotes grouping.
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
