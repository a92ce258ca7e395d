import Foundation
import TowerCore

/// The `key=value` arguments of `tower tool`, checked against what the method takes.
public struct ToolArguments: Sendable {
    public private(set) var values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// Parses `key=value` words; a value may itself contain `=`.
    public init(parsing words: [String]) throws {
        var values: [String: String] = [:]
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { throw ToolError.badArgument("\"\(word)\" is not key=value") }
            let key = String(word[..<equals])
            guard values[key] == nil else { throw ToolError.badArgument("\(key) is given twice") }
            values[key] = String(word[word.index(after: equals)...])
        }
        self.values = values
    }

    public func string(_ key: String) throws -> String {
        guard let value = values[key], !value.isEmpty else { throw ToolError.missingArgument(key) }
        return value
    }

    public func optional(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }

    public func int(_ key: String) throws -> Int {
        guard let value = Int(try string(key)) else { throw ToolError.badArgument("\(key) must be a whole number") }
        return value
    }

    public func optionalInt(_ key: String) throws -> Int? {
        guard values[key] != nil else { return nil }
        return try int(key)
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = optional(key)?.lowercased() else { return fallback }
        switch value {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw ToolError.badArgument("\(key) must be true or false")
        }
    }

    /// A JSON value (for `fields`, `files`).
    public func json(_ key: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(try string(key))
        } catch let error as ToolError {
            throw error
        } catch {
            throw ToolError.badArgument("\(key) is not valid JSON")
        }
    }

    /// A comma-separated list.
    public func list(_ key: String) -> [String] {
        (optional(key) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Why `tower tool` could not call a method; the service's own errors pass through as they are.
public enum ToolError: Error, Equatable, CustomStringConvertible {
    case unknownMethod(String, suggestions: [String])
    case missingArgument(String)
    case badArgument(String)
    case unexpectedArguments(method: String, unknown: [String], takes: [String])

    public var description: String {
        switch self {
        case .unknownMethod(let name, let suggestions):
            "no tool method \(name)" + (suggestions.isEmpty ? "; `tower tool --list` shows them all" : "; did you mean \(suggestions.joined(separator: ", "))?")
        case .missingArgument(let key): "missing argument \(key)=…"
        case .badArgument(let why): why
        case .unexpectedArguments(let method, let unknown, let takes):
            "\(method) does not take \(unknown.joined(separator: ", ")); it takes \(takes.isEmpty ? "no arguments" : takes.joined(separator: ", "))"
        }
    }
}
