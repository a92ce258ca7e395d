import Foundation
import Testing
import TowerCore

/// The original's example output, verbatim from ORIGINAL-DESIGN.md (Discovery Agent → Output Schema).
let originalDiscoveryExample = """
    {
      "relevantRepos": [
        {
          "name": "auth-service",
          "relevance": 0.95,
          "reason": "Contains OAuth implementation",
          "languages": ["TypeScript", "Python"],
          "files": [
            {"path": "src/auth/oauth.ts", "type": "source", "relevance": 0.9}
          ]
        }
      ],
      "crossRepoDependencies": [
        {"from": "frontend", "to": "auth-service", "type": "API"}
      ],
      "estimatedComplexity": "Medium",
      "recommendedApproach": "Modify OAuth flow in auth-service, update frontend components",
      "keywords": ["OAuth", "authentication", "login"]
    }
    """

@Suite struct DiscoveryResultTests {
    @Test func decodesAndReencodesTheOriginalExampleWithTheSameKeysAndValues() throws {
        let data = Data(originalDiscoveryExample.utf8)
        let result = try JSONDecoder().decode(DiscoveryResult.self, from: data)
        #expect(result.relevantRepos.first?.name == "auth-service")
        #expect(result.relevantRepos.first?.files.first?.path == "src/auth/oauth.ts")
        #expect(result.crossRepoDependencies == [.init(from: "frontend", to: "auth-service", type: "API")])

        let reencoded = try JSONEncoder().encode(result)
        let original = try JSONSerialization.jsonObject(with: data) as! NSDictionary
        let again = try JSONSerialization.jsonObject(with: reencoded) as! NSDictionary
        #expect(original == again)
        #expect(Set(again.allKeys.map { "\($0)" }) == [
            "relevantRepos", "crossRepoDependencies", "estimatedComplexity", "recommendedApproach", "keywords",
        ])
    }

    @Test func missingKeyIsAnError() {
        let broken = Data(#"{"relevantRepos": [], "estimatedComplexity": "Low"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DiscoveryResult.self, from: broken) }
    }

    @Test func rankedReposAreMostRelevantFirst() {
        let result = DiscoveryResult(
            relevantRepos: [
                .init(name: "a", relevance: 0.2, reason: "", languages: [], files: []),
                .init(name: "b", relevance: 0.9, reason: "", languages: [], files: []),
            ], crossRepoDependencies: [], estimatedComplexity: "Low", recommendedApproach: "", keywords: [])
        #expect(result.rankedRepos.map(\.name) == ["b", "a"])
    }

    /// Files across repositories by relevance, so a close second repository's best source comes
    /// before the first one's test; among equal relevance, the ranked repositories' own order.
    @Test func theReadingOrderInterleavesRepositoriesByFileRelevance() {
        let result = DiscoveryResult(
            relevantRepos: [
                .init(
                    name: "web", relevance: 0.6, reason: "", languages: [],
                    files: [.init(path: "Login.tsx", type: "source", relevance: 0.85), .init(path: "README.md", type: "docs", relevance: 0.3)]),
                .init(
                    name: "auth", relevance: 1, reason: "", languages: [],
                    files: [
                        .init(path: "oauth.ts", type: "source", relevance: 1), .init(path: "oauth.test.ts", type: "test", relevance: 0.8),
                        .init(path: "README.md", type: "docs", relevance: 0.3),
                    ]),
            ], crossRepoDependencies: [], estimatedComplexity: "Low", recommendedApproach: "", keywords: [])
        #expect(result.readingOrder.map { "\($0.repository)/\($0.file.path)" } == ["auth/oauth.ts", "web/Login.tsx", "auth/oauth.test.ts", "auth/README.md", "web/README.md"])
    }
}
