import Foundation

extension URL {
    /// An API endpoint: `path` under this base URL (a GitHub Enterprise or self-hosted prefix is
    /// kept), with query items sorted by name so requests are stable for caches and recordings.
    public func endpoint(_ path: String, query: [String: String] = [:]) -> URL {
        var components = URLComponents(url: appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if path.hasSuffix("/") && !components.path.hasSuffix("/") { components.path += "/" }
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        return components.url!
    }
}
