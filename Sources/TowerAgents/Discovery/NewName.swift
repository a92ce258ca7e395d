/// A ticket that asks to add something names what does not exist yet: "Add `filterQuery`
/// utility". Searched whole, such a name finds nothing, and its parts earn nothing while apart
/// (``Terms`` keeps an identifier whole, so that `GatewayBase` is not credited to every file
/// that says "gateway"). When the organization's code holds the name nowhere, that rule has
/// nothing left to protect: the name's words (`filter`, `query`) are where the new code will go.
enum NewName {
    /// The words of an identifier that the search found nowhere, as plain-word keywords: those
    /// that are admissible search terms (no stop word, number or version), longer than two
    /// letters, and not already among `keywords`.
    static func words(of keyword: Keyword, besides keywords: [Keyword]) -> [Keyword] {
        guard keyword.kind == .identifier else { return [] }
        let terms = Terms.forKeyword(keyword)
        // An identifier's first term is itself, joined (`filterquery`); a dotted name's terms
        // (`session.headers`) are all words.
        let parts = keyword.text.contains(".") ? terms[...] : terms.dropFirst()
        var known = Set(keywords.flatMap { Terms.forKeyword($0).prefix(1) })
        return parts.filter { part in part.count > 2 && KeywordExtractor.admissible(part) && known.insert(part).inserted }
            .map { Keyword($0, kind: .word) }
    }
}
