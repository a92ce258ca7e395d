import Foundation
import TowerCore

/// Jira issues kept in a local JSON file, in Jira's own shape (the `issues` array of a
/// `/rest/api/3/search/jql` answer, or one issue): tickets for a machine with no Jira, such as
/// the demo's. Read-only: comments on these tickets stay in the outbox, marked not sent.
public struct TicketFile: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    /// Every issue in the file.
    public func issues() throws -> [JiraClient.Issue] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ServiceError(service: "ticket file", status: 0, message: "cannot read \(url.path): \(error.localizedDescription)")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw ServiceError(service: "ticket file", status: 0, message: "\(url.path) is not JSON: \(error)")
        }
        if case .array(let issues) = json["issues"] { return issues.map(JiraClient.issue) }
        guard json["key"]?.string != nil else {
            throw ServiceError(service: "ticket file", status: 0, message: "\(url.path) holds neither an issue nor an \"issues\" list")
        }
        return [JiraClient.issue(json)]
    }

    /// The issue `key`, or `nil` when the file has none by that key.
    public func issue(_ key: String) throws -> JiraClient.Issue? {
        try issues().first { $0.key == key }
    }
}
