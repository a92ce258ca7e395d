import Foundation
import TowerCore
import TowerEngine
import TowerServices

/// The ticket a task is about: from Jira (`get_issue`, description flattened from ADF), or the
/// task's own title and description. A Jira issue that does not exist or that Tower may not
/// read fails the task at once with Jira's own message: retrying cannot make it exist.
public struct Ticket: Sendable, Equatable, Codable {
    public var key: String?
    public var title: String
    public var description: String
    /// Where a person reads it (Jira's browse page).
    public var url: String?
    /// Whether it came from Jira (so Planning comments there).
    public var fromJira: Bool
    /// Jira's project components it is filed under: Discovery leads with a repository one names.
    public var components: [String] = []

    /// The ticket of `task`, fetched from Jira when the task names one, or from the ticket file
    /// (`TOWER_TICKETS_FILE`) when there is no Jira.
    static func of(_ task: TowerTask, services: AgentServices) async throws -> Ticket {
        guard let key = task.ticketId, task.source == .jira || task.source == .cli || task.source == .console || task.source == .slack else {
            return Ticket(key: task.ticketId, title: task.title, description: task.description, url: nil, fromJira: false)
        }
        let jiraProblem = services.jiraProblem
        if services.jira == nil, let file = services.tickets {
            do {
                if let issue = try file.issue(key) {
                    return Ticket(key: issue.key, title: issue.summary, description: issue.description, url: nil, fromJira: true, components: issue.components)
                }
            } catch {
                throw PermanentStepFailure("ticket \(key): \(error)")
            }
        }
        guard let jira = services.jira else {
            // A ticket key without Jira: the task's own text is all there is.
            guard !task.description.isEmpty else {
                throw PermanentStepFailure("task \(task.id) is for Jira ticket \(key), but \(jiraProblem); give a description instead (tower run --description)")
            }
            return Ticket(key: key, title: task.title, description: task.description, url: nil, fromJira: false)
        }
        do {
            let issue = try await jira.getIssue(key)
            return Ticket(
                key: issue.key, title: issue.summary, description: issue.description,
                url: jira.baseURL.appendingPathComponent("browse").appendingPathComponent(issue.key).absoluteString, fromJira: true,
                components: issue.components)
        } catch let error as ServiceError where [400, 401, 403, 404].contains(error.status) {
            throw PermanentStepFailure("Jira cannot give ticket \(key): \(error.message)")
        }
    }
}
