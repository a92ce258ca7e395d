import Foundation

/// The `Link` header of a paginated answer (RFC 8288), as GitHub sends it:
/// `<https://api.github.com/…?page=2>; rel="next", <…?page=5>; rel="last"`.
public struct LinkHeader: Equatable, Sendable {
    /// Targets by relation (`next`, `prev`, `first`, `last`).
    public var links: [String: URL]

    public init(_ value: String) {
        var links: [String: URL] = [:]
        // Split into link-values at commas outside <…> and outside quotes.
        var parts: [String] = []
        var current = ""
        var inTarget = false
        var inQuotes = false
        for ch in value {
            if ch == "<" && !inQuotes { inTarget = true }
            if ch == ">" && !inQuotes { inTarget = false }
            if ch == "\"" && !inTarget { inQuotes.toggle() }
            if ch == "," && !inTarget && !inQuotes {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        for part in parts {
            guard let open = part.firstIndex(of: "<"), let close = part[open...].firstIndex(of: ">"),
                let url = URL(string: String(part[part.index(after: open)..<close]))
            else { continue }
            for parameter in part[part.index(after: close)...].split(separator: ";") {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
                for rel in pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ") {
                    links[rel.lowercased()] = url
                }
            }
        }
        self.links = links
    }

    /// The next page, if any.
    public var next: URL? { links["next"] }
}
