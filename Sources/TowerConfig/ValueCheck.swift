/// What a typed setting must hold. Checked once, where the configuration is loaded, so a bad
/// value is named with its reason instead of being read as a default somewhere downstream.
public enum ValueCheck: Sendable, Hashable {
    /// A whole number in the range.
    case integer(ClosedRange<Int>)
    /// A number of seconds in the range (fractions allowed).
    case seconds(ClosedRange<Double>)
    /// `0`/`1`, `true`/`false`, `yes`/`no`.
    case boolean
    /// `HOST:PORT`, the port 0 to 65535.
    case hostPort
    /// One of a few words (lower case), as a format's name.
    case oneOf([String])

    /// Why `value` does not fit, or `nil` when it does.
    public func problem(_ value: String) -> String? {
        let text = value.trimmingCharacters(in: .whitespaces)
        switch self {
        case .integer(let range):
            guard let number = Int(text) else { return "not a whole number" }
            return range.contains(number) ? nil : "must be from \(range.lowerBound) to \(range.upperBound)"
        case .seconds(let range):
            guard let number = Double(text), number.isFinite else { return "not a number of seconds" }
            return range.contains(number) ? nil : "must be from \(Self.show(range.lowerBound)) to \(Self.show(range.upperBound)) seconds"
        case .boolean:
            return ["0", "1", "true", "false", "yes", "no"].contains(text.lowercased()) ? nil : "not 0 or 1"
        case .hostPort:
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return "not HOST:PORT" }
            return (0...65535).contains(port) ? nil : "the port must be from 0 to 65535"
        case .oneOf(let words):
            return words.contains(text.lowercased()) ? nil : "must be " + words.joined(separator: " or ")
        }
    }

    private static func show(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : "\(value)"
    }
}
