/// A named colour role of the theme (`text`, `status.failed`, `diff.added`, …). Views speak in
/// roles; the theme decides colours, and the backend maps them to what the terminal can show.
public struct Role: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }

    public static let text = Role("text")
    public static let muted = Role("muted")
    public static let border = Role("border")
    public static let title = Role("title")
    public static let selection = Role("selection")
    public static let accent = Role("accent")
    public static let statusBar = Role("status_bar")
    public static let tab = Role("tab")
    public static let tabActive = Role("tab_active")
    public static let attention = Role("attention")
    public static let frozen = Role("frozen")
    public static let success = Role("success")
    public static let warning = Role("warning")
    public static let error = Role("error")
    public static let logDebug = Role("log.debug")
    public static let logInfo = Role("log.info")
    public static let logWarning = Role("log.warning")
    public static let logError = Role("log.error")
    public static let diffAdded = Role("diff.added")
    public static let diffRemoved = Role("diff.removed")
    public static let diffHunk = Role("diff.hunk")
    public static let diffContext = Role("diff.context")
    public static let diffFile = Role("diff.file")
    public static let markdownHeading = Role("markdown.heading")
    public static let markdownCode = Role("markdown.code")
    public static let markdownBullet = Role("markdown.bullet")
    public static let searchMatch = Role("search_match")
    public static let dialog = Role("dialog")
    public static let button = Role("button")
    public static let buttonFocused = Role("button_focused")

    /// The role of a task status (`status.awaiting_approval`, …).
    public static func status(_ name: String) -> Role { Role("status.\(name)") }

    /// The role of a log level (`log.error`, …).
    public static func log(_ level: String) -> Role { Role("log.\(level)") }

    /// Every role a complete theme defines.
    public static let all: [Role] =
        [
            text, muted, border, title, selection, accent, statusBar, tab, tabActive, attention, frozen, success, warning, error,
            logDebug, logInfo, logWarning, logError, diffAdded, diffRemoved, diffHunk, diffContext, diffFile, markdownHeading,
            markdownCode, markdownBullet, searchMatch, dialog, button, buttonFocused,
        ]
        + ["started", "discovery", "planning", "awaiting_approval", "awaiting_budget", "approved", "rejected", "executing", "ci_monitoring", "completed", "failed"]
        .map(status)
}

/// How a cell is drawn: its role plus the attributes that survive even without colour.
public struct Style: Hashable, Sendable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(_ role: Role = .text, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = Style()
}
