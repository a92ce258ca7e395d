import Foundation
import HTTPTypes
import TowerNet

/// What a cheap authenticated call says about the account Tower acts as: who it is, and how
/// much of the service's rate limit is left. `tower doctor` prints it; the console's health
/// line shows the headroom.
public struct ServiceIdentity: Sendable, Equatable, Codable {
    /// The account, as the service names it ("octocat", "Tower Bot (bot@acme.com)").
    public var identity: String
    public var headroom: RateHeadroom?

    public init(identity: String, headroom: RateHeadroom? = nil) {
        self.identity = identity
        self.headroom = headroom
    }
}

/// How many requests are left before a service starts refusing them.
public struct RateHeadroom: Sendable, Equatable, Codable, CustomStringConvertible {
    public var remaining: Int
    public var limit: Int?
    public var resetsAt: Date?

    public init(remaining: Int, limit: Int? = nil, resetsAt: Date? = nil) {
        self.remaining = remaining
        self.limit = limit
        self.resetsAt = resetsAt
    }

    /// Read from a response's headers, e.g. `x-ratelimit-remaining`, `x-ratelimit-limit` and
    /// `x-ratelimit-reset` (epoch seconds); `nil` when the service did not say.
    public init?(_ headers: HTTPFields, remaining: String, limit: String, reset: String? = nil) {
        guard let name = HTTPField.Name(remaining), let value = headers[name].flatMap({ Int($0) }) else { return nil }
        self.remaining = value
        self.limit = HTTPField.Name(limit).flatMap { headers[$0] }.flatMap { Int($0) }
        self.resetsAt = reset.flatMap { HTTPField.Name($0) }.flatMap { headers[$0] }.flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0) }
    }

    public var description: String {
        let left = limit.map { "\(remaining)/\($0)" } ?? "\(remaining)"
        guard let resetsAt else { return "\(left) left" }
        return "\(left) left, resets \(Self.time.string(from: resetsAt)) UTC"
    }

    private static let time: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm"
        return formatter
    }()
}
