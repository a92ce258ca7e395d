import Foundation
import TowerCore

/// The words Planning leaves in other places: the branch name, the draft PR's title and body,
/// the Jira comment. Pure, so each is tested as text.
enum PlanMessages {
    /// `ai/<ticket-or-task-id>-<slug>`: lowercase words of the title, at most 40 characters.
    static func branch(ticketOrTask id: String, title: String) -> String {
        var slug = ""
        for ch in title.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) {
                slug.append(ch)
            } else if !slug.hasSuffix("-"), !slug.isEmpty {
                slug.append("-")
            }
            if slug.count >= 40 { break }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        let safeId = id.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        return "ai/\(safeId)" + (slug.isEmpty ? "" : "-\(slug)")
    }

    /// The draft PR's title.
    static func pullRequestTitle(_ ticket: Ticket) -> String {
        "[AI Agent] \(ticket.key.map { "\($0): " } ?? "")\(ticket.title)"
    }

    /// The draft PR's body: the plan's summary, the "AI Agent" marker, the ticket and the other
    /// pull requests of the plan.
    static func pullRequestBody(plan: PlanDocument, ticket: Ticket, taskId: String, repository: String, others: [PullRequestRecord], estimate: CostEstimate?) -> String {
        var lines = ["## 🤖 AI Agent plan", "", plan.summary, ""]
        if let key = ticket.key { lines.append("**Ticket:** " + (ticket.url.map { "[\(key)](\($0))" } ?? key)) }
        let mine = plan.tasks.filter { $0.repository == nil || $0.repository == repository }
        lines.append("**Tasks in this repository:** \(mine.count) of \(plan.tasks.count); the whole plan is in `PLAN.md`.")
        if let estimate { lines.append("**Cost:** \(estimate.summary)") }
        if !others.isEmpty {
            lines.append("")
            lines.append("**The other pull requests of this plan:**")
            for pr in others.sorted(by: { $0.repository < $1.repository }) { lines.append("- \(pr.repository)#\(pr.number): \(pr.url)") }
        }
        lines += [
            "", "Review `PLAN.md`, edit it on this branch if needed, then approve in Slack, in the Tower console, or with `tower agent approve \(taskId)`.",
            "Nothing but the plan is written until then.", "", "---", "_Opened by the AI Agent (Tower task `\(taskId)`)._",
        ]
        return lines.joined(separator: "\n")
    }

    /// The Jira comment: the summary, the tasks, the pull requests.
    static func jiraComment(plan: PlanDocument, pullRequests: [PullRequestRecord], taskId: String, estimate: CostEstimate?) -> String {
        var lines = ["*AI Agent: plan ready for approval*", "", plan.summary, ""]
        lines.append("Implementation tasks: \(plan.tasks.count), about \(Int(plan.tasks.map(\.estimatedHours).reduce(0, +).rounded())) hours.")
        if let estimate { lines.append(estimate.summary) }
        lines.append("")
        for pr in pullRequests { lines.append("- Draft PR \(pr.repository)#\(pr.number): \(pr.url)") }
        lines.append("")
        lines.append("Approve or reject in Slack, in the Tower console, or with `tower agent approve \(taskId)`.")
        return lines.joined(separator: "\n")
    }

    /// The summary Slack shows above the buttons (Slack's section text is limited).
    static func slackSummary(plan: PlanDocument, pullRequests: [PullRequestRecord], estimate: CostEstimate?) -> String {
        var text = String(plan.summary.prefix(1200))
        text += "\n\(plan.tasks.count) tasks · \(pullRequests.map { "\($0.repository)#\($0.number)" }.joined(separator: ", "))"
        if let estimate { text += "\n\(estimate.summary)" }
        return text
    }
}
