import Foundation
import TowerCore
import TowerHTTPTestSupport

/// A service's published API description, trimmed to the operations Tower uses
/// (Fixtures/contracts, written by scripts/trim-contracts), and the checks a request, and a
/// field Tower reads from a response, must pass against it.
struct Contract {
    let service: String
    /// Where the stand-in serves the service in the tests (`/github`, `/slack/api`, …).
    let prefix: String
    let origin: String
    let operations: [String: JSONValue]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/contracts")

    static func load(_ service: String, prefix: String) throws -> Contract {
        let json = try JSONValue.parse(try Data(contentsOf: directory.appendingPathComponent("\(service).json")))
        return Contract(service: service, prefix: prefix, origin: json["origin"]?.string ?? "", operations: json["operations"]?.objectValue ?? [:])
    }

    /// The operation a request is, by method and path template; the most literal template wins.
    func operation(_ request: RecordedRequest) -> String? {
        guard request.path.hasPrefix(prefix) else { return nil }
        let path = String(request.path.dropFirst(prefix.count))
        let matching = operations.keys.filter { key in
            let parts = key.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0] == request.method && Self.matches(template: String(parts[1]), path: path)
        }
        return matching.max { literals($0) < literals($1) }
    }

    private func literals(_ key: String) -> Int { key.split(separator: "/").filter { !$0.hasPrefix("{") }.count }

    /// `{name}` is one segment; a template that ends in one takes the rest of the path (a ref
    /// `heads/ai/x`, a file path `src/a.py`).
    static func matches(template: String, path: String) -> Bool {
        let t = template.split(separator: "/", omittingEmptySubsequences: false)
        let p = path.split(separator: "/", omittingEmptySubsequences: false)
        for (index, part) in t.enumerated() {
            let isParameter = part.hasPrefix("{") && part.hasSuffix("}")
            if isParameter && index == t.count - 1 { return p.count >= t.count && p[index...].allSatisfy { !$0.isEmpty } }
            guard index < p.count else { return false }
            if isParameter { if p[index].isEmpty { return false } } else if part != p[index] { return false }
        }
        return t.count == p.count
    }

    /// What is wrong with a request against its operation: no such operation, a deprecated one,
    /// undeclared or missing query parameters, a body the description does not accept.
    func problems(_ request: RecordedRequest) -> [String] {
        guard let key = operation(request), let operation = operations[key] else {
            return ["\(request.method) \(request.path): no operation of \(service)'s description matches"]
        }
        var problems: [String] = []
        if operation["deprecated"] == .bool(true) { problems.append("\(key) is deprecated in \(service)'s description") }
        let declared = operation["query"]?.objectValue ?? [:]
        for (name, value) in request.query {
            guard let parameter = declared[name] else {
                problems.append("\(key): query parameter `\(name)` is not in the description")
                continue
            }
            problems += Self.check(query: value, against: parameter["schema"] ?? .object([:])).map { "\(key): query `\(name)`=\(value): \($0)" }
        }
        for (name, parameter) in declared where parameter["required"] == .bool(true) && !request.query.contains(where: { $0.name == name }) {
            problems.append("\(key): required query parameter `\(name)` is missing")
        }
        if !request.body.isEmpty, request.contentType?.contains("json") == true {
            guard let body = try? JSONValue.parse(request.body) else { return problems + ["\(key): the body is not JSON"] }
            if let schema = operation["body"], schema != .null {
                problems += Self.validate(body, schema, at: "body").map { "\(key): \($0)" }
            } else {
                problems.append("\(key): the description takes no body")
            }
        }
        return problems
    }

    static func check(query value: String, against schema: JSONValue) -> [String] {
        let type = schema["type"]?.string ?? schema["items"]?["type"]?.string
        if type == "integer", Int(value) == nil { return ["not an integer"] }
        if type == "boolean", !["true", "false"].contains(value) { return ["not a boolean"] }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(.string(value)) { return ["not one of \(allowed.compactMap(\.string))"] }
        return []
    }

    /// JSON Schema's core as the descriptions use it: type, enum, nullable, required,
    /// properties (a property the description does not name is a problem), items, anyOf/oneOf.
    static func validate(_ value: JSONValue, _ schema: JSONValue, at path: String) -> [String] {
        if value == .null { return schema["nullable"] == .bool(true) || schema["type"] == nil ? [] : ["\(path): null where the description does not allow it"] }
        if let choices = (schema["anyOf"] ?? schema["oneOf"])?.arrayValue, !choices.isEmpty {
            return choices.contains { validate(value, $0, at: path).isEmpty } ? [] : ["\(path): matches none of the description's alternatives"]
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.isEmpty, !allowed.contains(value) {
            return ["\(path): \(value) is not one of \(allowed.compactMap(\.string))"]
        }
        switch (schema["type"]?.string, value) {
        case (nil, _), ("string", .string), ("boolean", .bool), ("number", .number): return []
        case ("integer", .number(let n)): return n == n.rounded() ? [] : ["\(path): \(n) is not an integer"]
        case ("array", .array(let items)):
            guard let itemSchema = schema["items"] else { return [] }
            return items.enumerated().flatMap { validate($0.element, itemSchema, at: "\(path)[\($0.offset)]") }
        case ("object", .object(let members)):
            var problems: [String] = []
            for name in schema["required"]?.arrayValue?.compactMap(\.string) ?? [] where members[name] == nil {
                problems.append("\(path).\(name): required by the description, missing")
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            let open = schema["additionalProperties"].map { $0 != .bool(false) } ?? properties.isEmpty
            for (name, member) in members {
                if let property = properties[name] {
                    problems += validate(member, property, at: "\(path).\(name)")
                } else if !open {
                    problems.append("\(path).\(name): not in the description")
                }
            }
            return problems
        case (let type?, _):
            return ["\(path): \(value) where the description has \(type)"]
        }
    }

    /// Whether the response of `key` has the field at `path` (`[].name`, `head.ref`,
    /// `files?[].filename`), and whether the description promises it: required at every step
    /// Tower needs (a step marked `?` Tower reads as optional), and never null at the end.
    func field(_ path: String, of key: String) -> (exists: Bool, promised: Bool) {
        guard var schema = operations[key]?["response"] else { return (false, false) }
        var promised = true
        for part in path.split(separator: ".") {
            var name = String(part)
            let intoItems = name.hasSuffix("[]")
            if intoItems { name = String(name.dropLast(2)) }
            let optional = name.hasSuffix("?")
            if optional { name = String(name.dropLast()) }
            if !name.isEmpty {
                guard let next = Self.property(name, of: schema) else { return (false, false) }
                promised = promised && (optional || next.required)
                schema = next.schema
            }
            if intoItems {
                guard let items = schema["items"] else { return (false, false) }
                schema = items
            }
        }
        return (true, promised && schema["nullable"] != .bool(true))
    }

    private static func property(_ name: String, of schema: JSONValue) -> (schema: JSONValue, required: Bool)? {
        if let choices = (schema["anyOf"] ?? schema["oneOf"] ?? schema["allOf"])?.arrayValue {
            for choice in choices { if let found = property(name, of: choice) { return found } }
        }
        guard let property = schema["properties"]?[name] else { return nil }
        let required = schema["required"]?.arrayValue?.contains(.string(name)) ?? false
        return (property, required)
    }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? { if case .object(let members) = self { members } else { nil } }
    var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
}
