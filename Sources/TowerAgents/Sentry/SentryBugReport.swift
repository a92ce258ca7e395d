import TowerServices

/// The Jira bug for a Sentry issue, from the original's template, field for field. The last
/// line, `*Fingerprint: {issue_id}*`, is how a later pass finds a bug that was filed but not
/// recorded (the filing process died in between).
enum SentryBugReport {
    /// Jira's summary limit.
    static let summaryLimit = 255

    static func summary(_ issue: SentryClient.Issue) -> String {
        let text = "[Sentry] \(issue.title)"
        return text.count <= summaryLimit ? text : String(text.prefix(summaryLimit - 1)) + "…"
    }

    /// The line the description ends with, and what JQL looks for.
    static func fingerprintLine(_ issueId: String) -> String { "Fingerprint: \(issueId)" }

    /// The original's template, filled in. `events` is the 24 h count the threshold was checked
    /// against; what Sentry does not say is written as `unknown`.
    static func description(issue: SentryClient.Issue, event: SentryClient.Event?, events: Int) -> String {
        let trace = event.map(\.formattedStackTrace).flatMap { $0.isEmpty ? nil : $0 } ?? "(no stack trace in the latest event)"
        return """
            ## Sentry Error Report

            **Error:** \(issue.title)
            **Type:** \(issue.type ?? "unknown")
            **Level:** \(issue.level)

            ### Statistics (24h)
            - **Event Count:** \(events)
            - **Affected Users:** \(issue.userCount)
            - **First Seen:** \(issue.firstSeen ?? "unknown")
            - **Last Seen:** \(issue.lastSeen ?? "unknown")

            ### Stack Trace
            ```
            \(trace)
            ```

            ### Environment
            - **Platform:** \(event?.platform ?? issue.platform ?? "unknown")
            - **Release:** \(event?.release ?? "unknown")
            - **Environment:** \(event?.environment ?? "unknown")

            ### Sentry Link
            \(issue.permalink ?? "unknown")

            ---
            *Auto-created by AI Sentry Agent*
            *\(fingerprintLine(issue.id))*
            """
    }

    /// The Slack notice for a bug filed.
    static func notice(issue: SentryClient.Issue, ticket: String, events: Int, jiraURL: String?) -> String {
        "🐛 Filed \(ticket) for Sentry \(issue.shortId.isEmpty ? issue.id : issue.shortId) (\(issue.level), \(events) events in 24 h): \(issue.title)"
            + (jiraURL.map { "\n\($0)" } ?? "") + (issue.permalink.map { "\n\($0)" } ?? "")
    }
}
