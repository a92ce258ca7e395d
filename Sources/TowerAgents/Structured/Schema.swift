import Foundation
import TowerCore

/// A JSON Schema for a structured answer, as a value: it renders to the `input_schema` of the
/// forced tool call, and it validates what the model sent back, with a path to each problem,
/// so that the repair turn can tell the model exactly what to fix.
///
/// Only the part of JSON Schema the agents' shapes use: objects with required properties and no
/// others, arrays with bounds, strings (optionally an enumeration), integers and numbers with
/// bounds, booleans.
public indirect enum Schema: Sendable, Equatable {
    case object([(name: String, schema: Schema, description: String)], required: [String])
    case array(Schema, minItems: Int = 0, maxItems: Int? = nil)
    case string(enumeration: [String]? = nil, minLength: Int = 0)
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case number(minimum: Double? = nil, maximum: Double? = nil)
    case boolean

    public static func == (lhs: Schema, rhs: Schema) -> Bool { lhs.json == rhs.json }

    /// A plain string.
    public static var string: Schema { .string() }

    /// An object whose every property is required.
    public static func object(_ properties: [(String, Schema, String)]) -> Schema {
        .object(properties.map { (name: $0.0, schema: $0.1, description: $0.2) }, required: properties.map(\.0))
    }

    /// The JSON Schema document.
    public var json: JSONValue {
        switch self {
        case .object(let properties, let required):
            var members: [String: JSONValue] = [:]
            for property in properties {
                var schema = property.schema.json
                if case .object(var fields) = schema, !property.description.isEmpty {
                    fields["description"] = .string(property.description)
                    schema = .object(fields)
                }
                members[property.name] = schema
            }
            return .object([
                "type": .string("object"), "properties": .object(members), "required": .array(required.map(JSONValue.string)),
                "additionalProperties": .bool(false),
            ])
        case .array(let items, let minItems, let maxItems):
            var fields: [String: JSONValue] = ["type": .string("array"), "items": items.json]
            if minItems > 0 { fields["minItems"] = .number(Double(minItems)) }
            if let maxItems { fields["maxItems"] = .number(Double(maxItems)) }
            return .object(fields)
        case .string(let enumeration, let minLength):
            var fields: [String: JSONValue] = ["type": .string("string")]
            if let enumeration { fields["enum"] = .array(enumeration.map(JSONValue.string)) }
            if minLength > 0 { fields["minLength"] = .number(Double(minLength)) }
            return .object(fields)
        case .integer(let minimum, let maximum):
            var fields: [String: JSONValue] = ["type": .string("integer")]
            if let minimum { fields["minimum"] = .number(Double(minimum)) }
            if let maximum { fields["maximum"] = .number(Double(maximum)) }
            return .object(fields)
        case .number(let minimum, let maximum):
            var fields: [String: JSONValue] = ["type": .string("number")]
            if let minimum { fields["minimum"] = .number(minimum) }
            if let maximum { fields["maximum"] = .number(maximum) }
            return .object(fields)
        case .boolean:
            return .object(["type": .string("boolean")])
        }
    }

    /// Every way `value` breaks the schema, as `path: problem` lines (empty when it conforms).
    public func problems(in value: JSONValue, at path: String = "$") -> [String] {
        switch (self, value) {
        case (.object(let properties, let required), .object(let members)):
            var problems: [String] = []
            for name in required where members[name] == nil || members[name] == .null {
                problems.append("\(path).\(name): required property is missing")
            }
            let known = Set(properties.map(\.name))
            for name in members.keys.sorted() where !known.contains(name) {
                problems.append("\(path).\(name): unexpected property")
            }
            for property in properties {
                if let member = members[property.name], member != .null {
                    problems += property.schema.problems(in: member, at: "\(path).\(property.name)")
                }
            }
            return problems
        case (.array(let items, let minItems, let maxItems), .array(let elements)):
            var problems: [String] = []
            if elements.count < minItems { problems.append("\(path): needs at least \(minItems) item\(minItems == 1 ? "" : "s"), has \(elements.count)") }
            if let maxItems, elements.count > maxItems { problems.append("\(path): allows at most \(maxItems) items, has \(elements.count)") }
            for (index, element) in elements.enumerated() { problems += items.problems(in: element, at: "\(path)[\(index)]") }
            return problems
        case (.string(let enumeration, let minLength), .string(let text)):
            if let enumeration, !enumeration.contains(text) {
                return ["\(path): \"\(text.prefix(40))\" is not one of \(enumeration.joined(separator: ", "))"]
            }
            if text.trimmingCharacters(in: .whitespacesAndNewlines).count < minLength { return ["\(path): must not be empty"] }
            return []
        case (.integer(let minimum, let maximum), .number(let number)):
            guard number == number.rounded() else { return ["\(path): \(number) is not an integer"] }
            return Self.bounds(number, minimum.map(Double.init), maximum.map(Double.init), path)
        case (.number(let minimum, let maximum), .number(let number)):
            return Self.bounds(number, minimum, maximum, path)
        case (.boolean, .bool):
            return []
        default:
            return ["\(path): expected \(typeName), got \(Self.typeName(of: value))"]
        }
    }

    private static func bounds(_ value: Double, _ minimum: Double?, _ maximum: Double?, _ path: String) -> [String] {
        if let minimum, value < minimum { return ["\(path): \(value) is below the minimum \(minimum)"] }
        if let maximum, value > maximum { return ["\(path): \(value) is above the maximum \(maximum)"] }
        return []
    }

    private var typeName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "a boolean"
        }
    }

    private static func typeName(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
