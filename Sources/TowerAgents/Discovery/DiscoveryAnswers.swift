/// What the model adds to the lexical keywords: the names the codebase is likely to use for
/// what the ticket describes.
struct RelatedTerms: StructuredAnswer {
    var related: [String]

    static let toolName = "submit_search_terms"
    static let toolDescription = "Submit extra code-search terms for the ticket: identifiers, file names and domain words the code is likely to use."
    static let schema = Schema.object([
        ("related", .array(.string(minLength: 2), minItems: 0, maxItems: 12), "Search terms not already in the ticket, most likely first."),
    ])

    func problems() -> [String] {
        related.enumerated().compactMap { index, term in
            term.count > 60 || term.contains("\n") ? "$.related[\(index)]: a search term is one short line (at most 60 characters)" : nil
        }
    }
}

/// The model's recommendation from Discovery's bounded summary.
struct ApproachAnswer: StructuredAnswer {
    var recommendedApproach: String
    var estimatedComplexity: String

    static let toolName = "submit_approach"
    static let toolDescription = "Submit the recommended approach and the estimated complexity for the ticket, from the discovery summary."
    static let schema = Schema.object([
        ("recommendedApproach", .string(minLength: 10), "Two to four sentences: which repositories and files change, and in what order."),
        ("estimatedComplexity", .string(enumeration: ["Low", "Medium", "High"]), "Low, Medium or High."),
    ])
}
