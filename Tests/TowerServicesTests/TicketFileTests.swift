import Foundation
import Testing
import TowerCore

@testable import TowerServices

/// The ticket file (`TOWER_TICKETS_FILE`) reads issues in Jira's own shape: here the issue of
/// a real `jira:issue_created` delivery, alone and in a search answer's `issues` list, with
/// the components Discovery reads; and says plainly what is wrong with a file it cannot use.
@Suite struct TicketFileTests {
    static let delivery = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TowerWebhooksTests/Fixtures/jira/issue_created.json")

    private func file(_ data: Data) throws -> TicketFile {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tickets-\(UUID().uuidString).json")
        try data.write(to: url)
        return TicketFile(url: url)
    }

    @Test func readsAJiraIssueAloneOrInAList() throws {
        let issue = try #require(try JSONValue.parse(Data(contentsOf: Self.delivery))["issue"])
        let alone = try #require(try file(JSONEncoder().encode(issue)).issue("BUG-15"))
        #expect(alone.summary == "New bug with hook" && alone.description == "Fix me please" && alone.components.isEmpty)

        // The same issue filed under a component, as Jira lists it: {self, id, name, …}.
        guard case .object(var object) = issue, case .object(var fields)? = object["fields"] else {
            Issue.record("the delivery's issue is not an object")
            return
        }
        fields["components"] = .array([
            .object([
                "self": .string("https://acme.atlassian.net/rest/api/3/component/10000"), "id": .string("10000"),
                "name": .string("billing-service"), "description": .string("Invoices and tax"),
            ])
        ])
        object["fields"] = .object(fields)
        let listed = try file(JSONEncoder().encode(JSONValue.object(["issues": .array([.object(object)])])))
        #expect(try listed.issues().map(\.components) == [["billing-service"]])
        #expect(try listed.issue("BUG-16") == nil)
    }

    @Test func aFileItCannotUseSaysWhy() throws {
        func message(_ read: () throws -> Void) -> String {
            do {
                try read()
                return "no error"
            } catch let error as ServiceError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        let broken = try file(Data("not json".utf8))
        #expect(message { _ = try broken.issues() }.hasPrefix("\(broken.url.path) is not JSON"))
        let neither = try file(Data("{\"total\": 0}".utf8))
        #expect(message { _ = try neither.issues() } == "\(neither.url.path) holds neither an issue nor an \"issues\" list")
        let missing = TicketFile(url: URL(fileURLWithPath: "/nonexistent/tickets.json"))
        #expect(message { _ = try missing.issues() }.hasPrefix("cannot read /nonexistent/tickets.json"))
    }
}
