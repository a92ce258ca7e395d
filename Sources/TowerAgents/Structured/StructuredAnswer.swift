import Foundation
import TowerCore

/// A shape an LLM step asks for: a Codable type, its JSON Schema, and the name and purpose of
/// the tool the model is forced to call with it.
public protocol StructuredAnswer: Decodable, Sendable {
    /// The tool's name (`submit_plan`): what `tool_choice` names.
    static var toolName: String { get }
    /// What the tool is for, in the model's words.
    static var toolDescription: String { get }
    /// The tool's `input_schema`, and what the answer is validated against.
    static var schema: Schema { get }
    /// Checks beyond the schema (a task graph without cycles, say): each problem is a line the
    /// repair turn sends back. Empty when the answer is usable.
    func problems() -> [String]
}

extension StructuredAnswer {
    public func problems() -> [String] { [] }
}
