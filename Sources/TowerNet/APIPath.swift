/// A service's path with the template it was made from: `"/repos/\(owner: o)/\(repo: r)/pulls"`
/// is the path `/repos/acme/ledger/pulls` and the template `/repos/{owner}/{repo}/pulls`, the
/// template the service's published API description gives (ContractTests check each one). The
/// template names the call in traces (`url.template`) without its values, which may be
/// identifiers of people's work; an interpolation must say what it is, so none is left unnamed.
public struct APIPath: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The path as sent.
    public var path: String
    /// The path with each value replaced by `{its name}`.
    public var template: String

    public init(stringLiteral value: String) {
        path = value
        template = value
    }

    public init(stringInterpolation: StringInterpolation) {
        path = stringInterpolation.path
        template = stringInterpolation.template
    }

    public var description: String { path }

    /// Both parts joined, for a path built in pieces.
    public static func + (lhs: APIPath, rhs: APIPath) -> APIPath {
        var joined = lhs
        joined.path += rhs.path
        joined.template += rhs.template
        return joined
    }

    /// Builds both strings as the literal is read.
    public struct StringInterpolation: StringInterpolationProtocol {
        var path = ""
        var template = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            path.reserveCapacity(literalCapacity * 2)
            template.reserveCapacity(literalCapacity * 2)
        }

        public mutating func appendLiteral(_ literal: String) {
            path += literal
            template += literal
        }

        /// A value, and the name its template shows: the service's own name for it, as its
        /// published API description writes the path (`{pull_number}`, `{issueIdOrKey}`).
        public mutating func appendInterpolation(_ value: some CustomStringConvertible, as name: String) {
            path += value.description
            template += "{\(name)}"
        }

        public mutating func appendInterpolation(owner: String) { appendInterpolation(owner, as: "owner") }
        public mutating func appendInterpolation(repo: String) { appendInterpolation(repo, as: "repo") }
        public mutating func appendInterpolation(org: String) { appendInterpolation(org, as: "org") }
        public mutating func appendInterpolation(path: String) { appendInterpolation(path, as: "path") }
        public mutating func appendInterpolation(ref: String) { appendInterpolation(ref, as: "ref") }
    }
}
