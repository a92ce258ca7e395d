import Foundation

/// How densely a repository holds the ticket's keywords, from the code search's own hit counts:
/// a repository's evidence for its size. A large repository has more files that mention
/// anything, so what counts is the share of its files that hold a keyword against the share
/// across the organization (query likelihood with a Dirichlet prior, the standard smoothing of
/// language-model retrieval), never the raw number of hits.
public struct SearchDensity: Sendable, Equatable {
    /// Files hit per repository and keyword.
    public var hits: [String: [String: Int]]
    /// Source and test files per repository.
    public var sizes: [String: Int]
    /// How far the density moves a repository's score: a repository twice as dense in every
    /// keyword as the organization gains 2^(strength × keywords).
    public var strength = 0.25

    public init(hits: [String: [String: Int]], sizes: [String: Int]) {
        self.hits = hits
        self.sizes = sizes
    }

    /// The factor for `repository`'s evidence (1 when nothing is known), and how many files it
    /// was judged on.
    public func factor(for repository: String) -> (factor: Double, files: Int)? {
        guard let size = sizes[repository], !sizes.isEmpty else { return nil }
        let organization = Double(sizes.values.map { max(1, $0) }.reduce(0, +))
        // The prior's weight: a typical repository's size (their geometric mean, as sizes spread
        // over orders of magnitude).
        // Summed in a fixed order (a dictionary's differs from run to run, and so would the last
        // bits of a sum, and with them a tie between two repositories).
        let prior = exp(sizes.values.sorted().map { log(Double(max(1, $0))) }.reduce(0, +) / Double(sizes.count))
        var totals: [String: Int] = [:]
        for (name, counts) in hits where sizes[name] != nil { for (keyword, count) in counts { totals[keyword, default: 0] += count } }
        guard !totals.isEmpty else { return nil }
        var logLikelihood = 0.0
        for (keyword, total) in totals.sorted(by: { $0.key < $1.key }) where total > 0 {
            let share = Double(total) / organization
            let own = Double(hits[repository]?[keyword] ?? 0)
            logLikelihood += log((own + prior * share) / (Double(max(1, size)) + prior)) - log(share)
        }
        return (exp(strength * logLikelihood), size)
    }
}
