import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TowerTestLog

/// Sentry's API for the organization `acme`, in memory: projects and unresolved issues over
/// cursor pages (`Link` with `results="true"`), 24 h statistics, one issue, its latest event,
/// bearer authentication, and 429 with `Retry-After` on demand. Issues are Sentry's own issue
/// payload (`api.issue.json`) with the fields a test sets; every latest event is Sentry's own
/// (`api.issue_event.latest.json`).
public final class SentryStandIn: @unchecked Sendable {
    public struct Issue: Sendable {
        public var id: String
        public var title: String
        public var level: String
        public var events: Int
        public var users = 1

        public init(id: String, title: String, level: String, events: Int, users: Int = 1) {
            self.id = id
            self.title = title
            self.level = level
            self.events = events
            self.users = users
        }
    }

    private let lock = NSLock()
    private var projects: [(slug: String, issues: [Issue])] = []
    private var throttleNext = 0
    private var throttled = 0
    private var requests: [String] = []
    private let pageSize: Int
    /// The server's address, for absolute `Link` URLs; set once the server runs.
    public var base: URL?

    public init(pageSize: Int = 2) { self.pageSize = pageSize }

    func locked<T>(_ body: (SentryStandIn) -> T) -> T { lock.withLock { body(self) } }

    public func addProject(_ slug: String, issues: [Issue]) { locked { $0.projects.append((slug, issues)) } }

    /// Sets the 24 h event count of an issue (a recurrence).
    public func setEvents(_ id: String, to events: Int) {
        locked { sentry in
            for p in sentry.projects.indices {
                for i in sentry.projects[p].issues.indices where sentry.projects[p].issues[i].id == id { sentry.projects[p].issues[i].events = events }
            }
        }
    }

    /// The next `count` requests answer 429 with `Retry-After: seconds`.
    public func throttle(next count: Int) { locked { $0.throttleNext = count } }
    /// Requests answered 429 so far.
    public var throttledRequests: Int { locked { $0.throttled } }
    /// "METHOD path?query" of every request.
    public var seen: [String] { locked { $0.requests } }

    public static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("TowerServicesTests/Fixtures")
    }

    /// Sentry's issue payload with this issue's fields.
    func payload(_ issue: Issue, project: String) -> [String: Any] {
        let data = (try? Data(contentsOf: Self.fixtures.appendingPathComponent("api.issue.json"))) ?? Data("{}".utf8)
        var json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        json["id"] = issue.id
        json["shortId"] = "\(project.uppercased())-\(issue.id.suffix(3))"
        json["title"] = issue.title
        json["level"] = issue.level
        json["userCount"] = issue.users
        json["count"] = String(issue.events + 1000)  // all-time count: not what the thresholds read
        json["permalink"] = "https://acme.sentry.io/issues/\(issue.id)/"
        json["project"] = ["id": "1", "name": project, "slug": project, "platform": "python"]
        var metadata = json["metadata"] as? [String: Any] ?? [:]
        metadata["title"] = issue.title
        json["metadata"] = metadata
        // 24 hourly buckets; the events fall in the last two.
        let end = 1_744_560_000
        json["stats"] = ["24h": (0..<24).map { hour -> [Int] in [end - (23 - hour) * 3600, hour == 22 ? issue.events / 2 : hour == 23 ? issue.events - issue.events / 2 : 0] }]
        return json
    }

    static func json(_ value: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// One page of `items` from the request's cursor, with Sentry's `Link` header.
    func page(_ items: [Any], request: Request, path: String) -> Response {
        let cursor = request.uri.queryParameters.get("cursor").flatMap { Int($0.split(separator: ":").dropFirst().first ?? "") } ?? 0
        let slice = Array(items.dropFirst(cursor).prefix(pageSize))
        let next = cursor + pageSize
        let more = next < items.count
        var query = request.uri.queryParameters.filter { $0.key != "cursor" }.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "&")
        query = query.isEmpty ? "" : query + "&"
        let root = (base?.absoluteString ?? "") + "/sentry" + path
        let link =
            "<\(root)?\(query)cursor=0:\(max(0, cursor - pageSize)):1>; rel=\"previous\"; results=\"\(cursor > 0)\"; cursor=\"0:\(max(0, cursor - pageSize)):1\", "
            + "<\(root)?\(query)cursor=0:\(next):0>; rel=\"next\"; results=\"\(more)\"; cursor=\"0:\(next):0\""
        return Self.json(slice, headers: [HTTPField.Name("Link")!: link])
    }

    public func routes(_ router: Router<BasicRequestContext>) {
        let unauthorized = Self.json(["detail": "Invalid token"], status: .unauthorized)
        let gate: @Sendable (Request) -> Response? = { request in
            self.locked { $0.requests.append("\(request.method) \(request.uri.path)\(request.uri.query.map { "?\($0)" } ?? "")") }
            guard request.headers[.authorization] == "Bearer \(TestSecrets.sentryToken)" else { return unauthorized }
            let throttle = self.locked { sentry -> Bool in
                guard sentry.throttleNext > 0 else { return false }
                sentry.throttleNext -= 1
                sentry.throttled += 1
                return true
            }
            if throttle {
                return Self.json(["detail": "Request was throttled. Expected available in 1 second."], status: .tooManyRequests, headers: [.retryAfter: "1"])
            }
            return nil
        }
        router.get("/sentry/api/0/organizations/acme/projects/") { request, _ in
            if let refused = gate(request) { return refused }
            let projects = self.locked { $0.projects.enumerated().map { ["id": String($0.offset + 1), "slug": $0.element.slug, "name": $0.element.slug] as [String: Any] } }
            return self.page(projects, request: request, path: "/api/0/organizations/acme/projects/")
        }
        // The organization's issues, filtered by one project's id or slug, as the monitor asks.
        router.get("/sentry/api/0/organizations/acme/issues/") { request, _ in
            if let refused = gate(request) { return refused }
            let wanted = request.uri.queryParameters.get("project") ?? ""
            guard let (slug, issues) = self.locked({ sentry -> (String, [Issue])? in
                guard let index = sentry.projects.indices.first(where: { sentry.projects[$0].slug == wanted || String($0 + 1) == wanted }) else { return nil }
                return (sentry.projects[index].slug, sentry.projects[index].issues)
            }) else {
                return Self.json(["detail": "Invalid project parameter. Values must be numbers or slugs."], status: .badRequest)
            }
            guard request.uri.queryParameters.get("query") == "is:unresolved", request.uri.queryParameters.get("statsPeriod") == "24h" else {
                return Self.json(["detail": "the monitor must ask for unresolved issues over 24h"], status: .badRequest)
            }
            return self.page(issues.map { self.payload($0, project: slug) }, request: request, path: "/api/0/organizations/acme/issues/")
        }
        router.get("/sentry/api/0/organizations/acme/issues/:id/") { request, context in
            if let refused = gate(request) { return refused }
            let id = context.parameters.get("id") ?? ""
            guard let (issue, project) = self.locked({ sentry in sentry.projects.lazy.compactMap { p in p.issues.first { $0.id == id }.map { ($0, p.slug) } }.first }) else {
                return Self.json(["detail": "The requested resource does not exist"], status: .notFound)
            }
            return Self.json(self.payload(issue, project: project))
        }
        router.get("/sentry/api/0/organizations/acme/issues/:id/events/latest/") { request, _ in
            if let refused = gate(request) { return refused }
            let data = (try? Data(contentsOf: Self.fixtures.appendingPathComponent("api.issue_event.latest.json"))) ?? Data("{}".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
        }
    }
}
