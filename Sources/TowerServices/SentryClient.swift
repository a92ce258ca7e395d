import Foundation
import HTTPTypes
import TowerCore
import TowerNet

/// Sentry's API with the original's sentry-mcp methods: unresolved issues of a project, one
/// issue, its latest event with a readable stack trace, and resolving it. Self-hosted Sentry
/// works through the base URL.
public struct SentryClient: Sendable {
    public let baseURL: URL
    public let organization: String
    let token: String
    let http: HTTPClient

    public init(baseURL: URL = URL(string: "https://sentry.io")!, organization: String, token: String, http: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL
        self.organization = organization
        self.token = token
        self.http = http
    }

    /// The fields Tower's Sentry monitor reads.
    public struct Issue: Sendable, Equatable, Codable {
        public var id: String
        public var shortId: String
        public var title: String
        public var level: String
        /// Events in the requested period.
        public var count: Int
        public var userCount: Int
        public var culprit: String?
        public var permalink: String?
        public var project: String?
        /// Events in the period the list asked for (`stats` of `statsPeriod`, summed), when given.
        public var eventsInPeriod: Int?
        /// The exception type (`metadata.type`), else the issue's type.
        public var type: String?
        public var platform: String?
        public var firstSeen: String?
        public var lastSeen: String?

        public init(
            id: String, shortId: String, title: String, level: String, count: Int, userCount: Int, culprit: String? = nil, permalink: String? = nil,
            project: String? = nil, eventsInPeriod: Int? = nil, type: String? = nil, platform: String? = nil, firstSeen: String? = nil,
            lastSeen: String? = nil
        ) {
            self.id = id
            self.shortId = shortId
            self.title = title
            self.level = level
            self.count = count
            self.userCount = userCount
            self.culprit = culprit
            self.permalink = permalink
            self.project = project
            self.eventsInPeriod = eventsInPeriod
            self.type = type
            self.platform = platform
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
        }
    }

    /// The latest event, reduced to what a bug ticket shows.
    public struct Event: Sendable, Equatable, Codable {
        public var exceptionType: String?
        public var exceptionValue: String?
        /// Innermost frame last, as Sentry lists them.
        public var frames: [Frame]
        public var platform: String?
        public var release: String?
        public var environment: String?

        /// One stack frame; `inApp` marks the project's own code.
        public struct Frame: Sendable, Equatable, Codable {
            public var file: String
            public var function: String?
            public var line: Int?
            public var inApp: Bool
        }

        /// `  at function (file:line)` lines, innermost first, application frames marked.
        public var formattedStackTrace: String {
            frames.reversed().map { "\($0.inApp ? "→" : " ") at \($0.function ?? "?") (\($0.file)\($0.line.map { ":\($0)" } ?? ""))" }.joined(separator: "\n")
        }
    }

    /// Issues of a project (its numeric id or its slug) matching `query`, counted over
    /// `statsPeriod`, following Sentry's cursor pages. Through the organization's issues endpoint:
    /// Sentry's schema marks the project issues endpoint deprecated in its favour.
    public func listIssues(project: String, query: String = "is:unresolved", statsPeriod: String = "24h", maxPages: Int = 5) async throws -> [Issue] {
        var url = endpoint(
            "/api/0/organizations/\(organization, as: "organization_id_or_slug")/issues/",
            query: ["project": project, "query": query, "statsPeriod": statsPeriod, "groupStatsPeriod": statsPeriod == "14d" ? "14d" : "24h"])
        var issues: [Issue] = []
        for _ in 0..<maxPages {
            let response = try await http.send(request(.get, url))
            guard case .array(let page) = try decode(response) else { break }
            issues += page.map(Self.issue)
            guard let next = Self.nextCursorPage(response.headers[HTTPField.Name("Link")!]) else { break }
            url.url = next
        }
        return issues
    }

    /// A project of the organization: its numeric id (what the issues endpoint filters by) and its slug.
    public struct Project: Sendable, Equatable {
        public var id: String
        public var slug: String
    }

    /// The organization's projects, over Sentry's cursor pages.
    public func listProjects(maxPages: Int = 10) async throws -> [Project] {
        var url = endpoint("/api/0/organizations/\(organization, as: "organization_id_or_slug")/projects/")
        var projects: [Project] = []
        for _ in 0..<maxPages {
            let response = try await http.send(request(.get, url))
            guard case .array(let page) = try decode(response) else { break }
            projects += page.compactMap { item in item["slug"]?.string.map { Project(id: item["id"]?.string ?? $0, slug: $0) } }
            guard let next = Self.nextCursorPage(response.headers[HTTPField.Name("Link")!]) else { break }
            url.url = next
        }
        return projects
    }

    /// One issue by its numeric id.
    public func getIssue(_ id: String) async throws -> Issue {
        Self.issue(try decode(try await http.send(request(.get, endpoint("/api/0/organizations/\(organization, as: "organization_id_or_slug")/issues/\(id, as: "issue_id")/")))))
    }

    /// The issue's latest event: the exception and its frames, platform, release, environment.
    public func getLatestEvent(issue id: String) async throws -> Event {
        let json = try decode(try await http.send(request(.get, endpoint("/api/0/organizations/\(organization, as: "organization_id_or_slug")/issues/\(id, as: "issue_id")/events/\("latest", as: "event_id")/"))))
        var event = Event(frames: [], platform: json["platform"]?.string, release: json["release"]?["version"]?.string ?? json["release"]?.string)
        if case .array(let tags) = json["tags"] { event.environment = tags.first { $0["key"]?.string == "environment" }?["value"]?.string }
        if case .array(let entries) = json["entries"], let exception = entries.first(where: { $0["type"]?.string == "exception" }),
            case .array(let values) = exception["data"]?["values"], let last = values.last
        {
            event.exceptionType = last["type"]?.string
            event.exceptionValue = last["value"]?.string
            if case .array(let frames) = last["stacktrace"]?["frames"] {
                event.frames = frames.map { frame in
                    Event.Frame(
                        file: frame["filename"]?.string ?? frame["absPath"]?.string ?? "?", function: frame["function"]?.string,
                        line: frame["lineNo"]?.number.map { Int($0) }, inApp: frame["inApp"] == .bool(true))
                }
            }
        }
        return event
    }

    /// The organization the token reads (`GET /api/0/organizations/{org}/`), with Sentry's
    /// rate-limit headers.
    public func getOrganization() async throws -> ServiceIdentity {
        let response = try await http.send(request(.get, endpoint("/api/0/organizations/\(organization, as: "organization_id_or_slug")/")))
        let json = try decode(response)
        let slug = json["slug"]?.string ?? organization
        return ServiceIdentity(
            identity: json["name"]?.string.map { "\($0) (\(slug))" } ?? slug,
            headroom: RateHeadroom(response.headers, remaining: "x-sentry-rate-limit-remaining", limit: "x-sentry-rate-limit-limit", reset: "x-sentry-rate-limit-reset"))
    }

    /// Marks the issue resolved (`PUT` with `{"status":"resolved"}`).
    public func resolveIssue(_ id: String) async throws {
        let body = try JSONEncoder().encode(JSONValue.object(["status": .string("resolved")]))
        _ = try decode(try await http.send(request(.put, endpoint("/api/0/organizations/\(organization, as: "organization_id_or_slug")/issues/\(id, as: "issue_id")/"), body: body)))
    }

    // MARK: Plumbing

    /// A URL of the API and the template it was made from (kept for the next pages' URLs).
    struct Endpoint {
        var url: URL
        var route: String
    }

    func endpoint(_ path: APIPath, query: [String: String] = [:]) -> Endpoint {
        Endpoint(url: baseURL.endpoint(path.path, query: query), route: path.template)
    }

    func request(_ method: HTTPRequest.Method, _ endpoint: Endpoint, body: Data? = nil) -> HTTPClientRequest {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.accept] = "application/json"
        if body != nil { headers[.contentType] = "application/json" }
        return HTTPClientRequest(method: method, url: endpoint.url, headers: headers, body: body, route: endpoint.route)
    }

    func decode(_ response: HTTPClientResponse) throws -> JSONValue {
        let json = try? JSONValue.parse(response.body)
        guard response.status.kind == .successful, let json else {
            throw ServiceError(service: "Sentry", status: response.status.code, message: json?["detail"]?.string ?? String(decoding: response.body.prefix(200), as: UTF8.self))
        }
        return json
    }

    /// Sentry always sends a `rel="next"` link; `results="true"` says whether it leads anywhere.
    static func nextCursorPage(_ header: String?) -> URL? {
        guard let header else { return nil }
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") && part.contains("results=\"true\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">") else { continue }
            return URL(string: String(part[part.index(after: open)..<close]))
        }
        return nil
    }

    static func issue(_ json: JSONValue) -> Issue {
        var inPeriod: Int?
        if case .object(let stats) = json["stats"], let buckets = stats.values.first, case .array(let points) = buckets {
            inPeriod = points.reduce(0) { sum, point in
                guard case .array(let pair) = point, pair.count == 2 else { return sum }
                return sum + Int(pair[1].number ?? 0)
            }
        }
        return Issue(
            id: json["id"]?.string ?? "", shortId: json["shortId"]?.string ?? "", title: json["title"]?.string ?? "",
            level: json["level"]?.string ?? "error", count: Int(json["count"]?.string ?? "") ?? Int(json["count"]?.number ?? 0),
            userCount: Int(json["userCount"]?.number ?? 0), culprit: json["culprit"]?.string, permalink: json["permalink"]?.string,
            project: json["project"]?["slug"]?.string, eventsInPeriod: inPeriod, type: json["metadata"]?["type"]?.string ?? json["type"]?.string,
            platform: json["platform"]?.string, firstSeen: json["firstSeen"]?.string, lastSeen: json["lastSeen"]?.string)
    }
}
