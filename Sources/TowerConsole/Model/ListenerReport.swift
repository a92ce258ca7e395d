import Foundation

/// The webhook listener in this process, as the console shows it: where it listens (or why it
/// does not), what it took in and refused, and the latest refusals with their reasons (refused
/// requests are never stored: an unverified sender must not be able to write to the store).
public struct ListenerReport: Equatable, Sendable {
    /// One refused request: when, from which route, the status answered and why.
    public struct Refusal: Equatable, Sendable {
        public var at: Date
        public var source: String
        public var status: Int
        public var reason: String

        public init(at: Date, source: String, status: Int, reason: String) {
            self.at = at
            self.source = source
            self.status = status
            self.reason = reason
        }
    }

    /// `HOST:PORT`.
    public var address: String
    /// Why it is not listening (the port is taken), when it is not.
    public var problem: String?
    public var accepted: Int
    public var duplicates: Int
    public var refused: Int
    public var refusals: [Refusal]

    public init(address: String, problem: String? = nil, accepted: Int = 0, duplicates: Int = 0, refused: Int = 0, refusals: [Refusal] = []) {
        self.address = address
        self.problem = problem
        self.accepted = accepted
        self.duplicates = duplicates
        self.refused = refused
        self.refusals = refusals
    }
}
