import Foundation

/// A service answered with an error: its status and its own message, never a credential.
public struct ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    public var service: String
    public var status: Int
    public var message: String

    public init(service: String, status: Int, message: String) {
        self.service = service
        self.status = status
        self.message = message
    }

    /// A status of 0 means no HTTP exchange (a local tool such as git failed).
    public var description: String { status == 0 ? "\(service): \(message)" : "\(service) answered \(status): \(message)" }
}
