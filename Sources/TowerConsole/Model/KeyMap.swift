/// Everything a key can do.
public enum Action: String, Sendable, CaseIterable {
    case moveDown, moveUp, pageDown, pageUp, top, bottom
    case open, back, quit, help, command, outbox, sentry, deliveries, redeliver, workers, audit, approvals, pick
    case filter, nextGroup, previousGroup, sort
    case approve, reject, retry, budget, freeze
    case nextTab, previousTab, tab1, tab2, tab3, tab4, tab5, tab6, tab7
    case follow, wrap, timestamps, search, searchNext, searchPrevious, nextError
    case nextFile, previousFile, nextHunk, previousHunk
    case copy, copyView
    case redraw
}

/// Where a binding applies. The most specific context wins.
public enum KeyContext: String, Sendable, CaseIterable {
    case global, board, task, log, diff, outbox, sentry, deliveries, workers, audit, approvals, digest
}

/// One line of the key map: the keys, what they do, where, and whether the footer hints at it.
public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    public var action: Action
    public var summary: String
    public var context: KeyContext
    public var footer: String?

    /// The keys as help shows them: `j/↓` (`j/Down` in ASCII).
    public func label(ascii: Bool = false) -> String { keys.map { $0.label(ascii: ascii) }.joined(separator: "/") }
}

/// The key map, as data: the console's dispatch, its `?` help, its footer hints and the docs'
/// key table are all read from it, so they cannot disagree.
public struct KeyMap: Sendable, Equatable {
    public var bindings: [KeyBinding]

    /// The action for `key` in the given contexts (listed most specific first).
    public func action(for key: Key, in contexts: [KeyContext]) -> Action? {
        for context in contexts {
            if let binding = bindings.first(where: { $0.context == context && $0.keys.contains(key) }) { return binding.action }
        }
        return nil
    }

    /// The bindings that apply in `contexts`, most specific context first.
    public func bindings(in contexts: [KeyContext]) -> [KeyBinding] {
        contexts.flatMap { context in bindings.filter { $0.context == context } }
    }

    /// Footer hints for `contexts`: short labels in map order.
    public func hints(in contexts: [KeyContext], ascii: Bool = false) -> [(keys: String, label: String)] {
        bindings(in: contexts).compactMap { b in b.footer.map { (b.keys.first!.label(ascii: ascii), $0) } }
    }

    public static let standard = KeyMap(bindings: [
        // Board
        KeyBinding(keys: [.enter, .character("l"), .right], action: .open, summary: "open the selected task", context: .board, footer: "open"),
        KeyBinding(keys: [.character("/")], action: .filter, summary: "filter (smart case; every word must match)", context: .board, footer: "filter"),
        KeyBinding(keys: [.tab], action: .nextGroup, summary: "next group (All, Needs approval, Running, Failed, Done)", context: .board, footer: nil),
        KeyBinding(keys: [.backTab], action: .previousGroup, summary: "previous group", context: .board, footer: nil),
        KeyBinding(keys: [.character("s")], action: .sort, summary: "cycle the sort order", context: .board, footer: "sort"),
        KeyBinding(keys: [.escape], action: .back, summary: "clear the filter", context: .board, footer: nil),
        // Task view
        KeyBinding(keys: [.tab, .character("L")], action: .nextTab, summary: "next tab", context: .task, footer: "tab"),
        KeyBinding(keys: [.backTab, .character("H")], action: .previousTab, summary: "previous tab", context: .task, footer: nil),
        KeyBinding(keys: [.character("1")], action: .tab1, summary: "Log tab", context: .task, footer: nil),
        KeyBinding(keys: [.character("2")], action: .tab2, summary: "Plan tab", context: .task, footer: nil),
        KeyBinding(keys: [.character("3")], action: .tab3, summary: "Diff tab", context: .task, footer: nil),
        KeyBinding(keys: [.character("4")], action: .tab4, summary: "Discovery tab", context: .task, footer: nil),
        KeyBinding(keys: [.character("5")], action: .tab5, summary: "CI tab", context: .task, footer: nil),
        KeyBinding(keys: [.character("6")], action: .tab6, summary: "Timeline tab", context: .task, footer: nil),
        KeyBinding(keys: [.character("7")], action: .tab7, summary: "LLM calls tab", context: .task, footer: nil),
        KeyBinding(keys: [.escape, .character("h"), .left], action: .back, summary: "back to the board", context: .task, footer: "back"),
        // Log tab
        KeyBinding(keys: [.character("f")], action: .follow, summary: "follow new lines on/off", context: .log, footer: "follow"),
        KeyBinding(keys: [.character("w")], action: .wrap, summary: "wrap long lines on/off", context: .log, footer: nil),
        KeyBinding(keys: [.character("t")], action: .timestamps, summary: "timestamps on/off", context: .log, footer: nil),
        KeyBinding(keys: [.character("/")], action: .search, summary: "search the log", context: .log, footer: "search"),
        KeyBinding(keys: [.character("n")], action: .searchNext, summary: "next match", context: .log, footer: nil),
        KeyBinding(keys: [.character("N")], action: .searchPrevious, summary: "previous match", context: .log, footer: nil),
        KeyBinding(keys: [.character("e")], action: .nextError, summary: "jump to the next error", context: .log, footer: "error"),
        // Diff tab
        KeyBinding(keys: [.character("]")], action: .nextFile, summary: "next file", context: .diff, footer: "file"),
        KeyBinding(keys: [.character("[")], action: .previousFile, summary: "previous file", context: .diff, footer: nil),
        KeyBinding(keys: [.character("}"), .character("n")], action: .nextHunk, summary: "next hunk", context: .diff, footer: "hunk"),
        KeyBinding(keys: [.character("{"), .character("N")], action: .previousHunk, summary: "previous hunk", context: .diff, footer: nil),
        // Outbox
        KeyBinding(keys: [.escape, .character("h"), .left], action: .back, summary: "back to the board", context: .outbox, footer: "back"),
        // Sentry
        KeyBinding(keys: [.escape, .character("h"), .left], action: .back, summary: "back to the board", context: .sentry, footer: "back"),
        // Deliveries
        KeyBinding(keys: [.escape, .character("h"), .left], action: .back, summary: "back to the board", context: .deliveries, footer: "back"),
        KeyBinding(keys: [.character("R")], action: .redeliver, summary: "process the selected delivery again", context: .deliveries, footer: "redeliver"),
        // Workers
        KeyBinding(keys: [.escape, .character("h"), .left], action: .back, summary: "back to the board", context: .workers, footer: "back"),
        KeyBinding(keys: [.escape, .character("h"), .left], action: .back, summary: "back to the board", context: .audit, footer: "back"),
        KeyBinding(keys: [.escape, .character("h"), .left], action: .back, summary: "back to the board", context: .approvals, footer: "back"),
        KeyBinding(keys: [.escape, .character("h"), .left], action: .back, summary: "back to the board", context: .digest, footer: "back"),
        KeyBinding(keys: [.enter, .character("l"), .right], action: .open, summary: "open the selected task", context: .approvals, footer: "open"),
        KeyBinding(keys: [.character(" ")], action: .pick, summary: "pick a plan, to approve or reject several at once", context: .approvals, footer: "pick"),
        KeyBinding(keys: [.character("/")], action: .filter, summary: "filter the audit trail by person, task, channel or action", context: .audit, footer: "filter"),
        // Everywhere
        KeyBinding(keys: [.character("j"), .down], action: .moveDown, summary: "down", context: .global, footer: nil),
        KeyBinding(keys: [.character("k"), .up], action: .moveUp, summary: "up", context: .global, footer: nil),
        KeyBinding(keys: [.pageDown, .control("f")], action: .pageDown, summary: "page down", context: .global, footer: nil),
        KeyBinding(keys: [.pageUp, .control("b")], action: .pageUp, summary: "page up", context: .global, footer: nil),
        KeyBinding(keys: [.character("g"), .home], action: .top, summary: "first line", context: .global, footer: nil),
        KeyBinding(keys: [.character("G"), .end], action: .bottom, summary: "last line", context: .global, footer: nil),
        KeyBinding(keys: [.character("a")], action: .approve, summary: "approve the plan (asks to confirm)", context: .global, footer: "approve"),
        KeyBinding(keys: [.character("r")], action: .reject, summary: "reject the plan (asks for a reason)", context: .global, footer: "reject"),
        KeyBinding(keys: [.character("R")], action: .retry, summary: "retry a failed task at its failed step", context: .global, footer: "retry"),
        KeyBinding(keys: [.character("b")], action: .budget, summary: "grant a task waiting for model budget more, or stop it", context: .global, footer: nil),
        KeyBinding(keys: [.character("F")], action: .freeze, summary: "freeze/unfreeze: no new runs, pushes or auto-fixes", context: .global, footer: nil),
        KeyBinding(keys: [.character("o")], action: .outbox, summary: "outbox: Slack and Jira messages", context: .global, footer: nil),
        KeyBinding(keys: [.character("S")], action: .sentry, summary: "Sentry: the monitor's passes and the bugs it filed", context: .global, footer: nil),
        KeyBinding(keys: [.character("D")], action: .deliveries, summary: "deliveries: the webhook inbox and the listener", context: .global, footer: nil),
        KeyBinding(keys: [.character("W")], action: .workers, summary: "workers: every engine sharing the store, alive or not", context: .global, footer: nil),
        KeyBinding(keys: [.character("A")], action: .approvals, summary: "approvals: every task waiting for a person, oldest first", context: .global, footer: nil),
        KeyBinding(keys: [.character("T")], action: .audit, summary: "audit trail: who decided what, and where", context: .global, footer: nil),
        KeyBinding(keys: [.character("y")], action: .copy, summary: "copy what is under the cursor (works over SSH and tmux)", context: .global, footer: nil),
        KeyBinding(keys: [.character("Y")], action: .copyView, summary: "copy the whole view", context: .global, footer: nil),
        KeyBinding(keys: [.character(":")], action: .command, summary: "command line (the tower agent commands, run, theme, freeze)", context: .global, footer: "cmd"),
        KeyBinding(keys: [.control("l")], action: .redraw, summary: "redraw the screen", context: .global, footer: nil),
        KeyBinding(keys: [.character("?")], action: .help, summary: "this help", context: .global, footer: "help"),
        KeyBinding(keys: [.character("q")], action: .quit, summary: "quit (asks while tasks run here)", context: .global, footer: "quit"),
    ])
}
