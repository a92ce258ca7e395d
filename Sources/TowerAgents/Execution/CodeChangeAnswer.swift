/// The model's changes for one plan task, one forced tool call: whole files for new and small
/// files, exact search/replace edits for larger ones (the format the strongest coding agents
/// use, because a model rewriting a long file drops or changes lines it was not asked to).
struct CodeChangeAnswer: StructuredAnswer, Encodable {
    struct Edit: Codable, Sendable, Equatable {
        /// Text that must appear exactly once in the file as it is.
        var search: String
        var replace: String
    }

    struct FileAnswer: Codable, Sendable, Equatable {
        var path: String
        /// `create`, `replace` (whole content) or `edit` (search/replace blocks).
        var action: String
        var content: String?
        var edits: [Edit]?
    }

    var summary: String
    var files: [FileAnswer]

    static let toolName = "submit_changes"
    static let toolDescription =
        "Submit the code changes for one plan task: new or small files as whole content, larger files as exact search/replace edits."
    static let schema = Schema.object([
        ("summary", .string(minLength: 5), "One or two sentences: what the change does. It becomes the commit message's body."),
        (
            "files",
            .array(
                .object(
                    [
                        (name: "path", schema: .string(minLength: 1), description: "Path relative to the repository root."),
                        (
                            name: "action", schema: .string(enumeration: ["create", "replace", "edit"]),
                            description: "create: a new file (content). replace: an existing small file's whole new content. edit: search/replace blocks on an existing file."
                        ),
                        (name: "content", schema: .string, description: "The whole file, for create and replace."),
                        (
                            name: "edits",
                            schema: .array(
                                .object([
                                    ("search", .string(minLength: 1), "Existing text, copied exactly (whitespace included), that occurs once in the file."),
                                    ("replace", .string, "What it becomes."),
                                ]), minItems: 1, maxItems: 40),
                            description: "For edit: applied in order, each to the result of the one before."
                        ),
                    ], required: ["path", "action"]), minItems: 1, maxItems: 30),
            "Every file this task creates or changes."
        ),
    ])
}
