import Foundation
import Testing
import TowerCore

@testable import TowerLLM

/// The shipped price table (the repository's `pricing/models.toml`, read as the binary reads
/// it) and how calls are priced: cache writes and reads apart, Bedrock's region profiles, an
/// override with its date, and a model nobody priced.
@Suite struct PriceTableTests {
    static var shipped: PriceTable {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("pricing/models.toml")
            return try PriceTable.parse(try String(contentsOf: url, encoding: .utf8), origin: "pricing/models.toml")
        }
    }

    @Test func callsArePricedByProviderModelAndCacheUse() throws {
        let table = try Self.shipped
        let usage = LLMUsage(inputTokens: 1_000_000, outputTokens: 100_000, cacheWriteTokens: 200_000, cacheReadTokens: 2_000_000)
        // Sonnet 4: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million.
        let sonnet = try #require(table.cost(usage, for: ModelChoice("claude-sonnet-4-20250514")))
        #expect(abs(sonnet - (3 + 1.5 + 0.75 + 0.6)) < 1e-9)
        #expect(table.cost(usage, for: ModelChoice("bedrock:us.anthropic.claude-sonnet-4-20250514-v1:0")) == sonnet)
        #expect(table.price(for: ModelChoice("bedrock:anthropic.claude-opus-4-20250514-v1:0"))?.output == 75)
        // gpt-4o-mini is not gpt-4o: the longest prefix wins.
        #expect(table.price(for: ModelChoice("openai:gpt-4o-mini-2024-07-18"))?.input == 0.15)
        #expect(table.price(for: ModelChoice("openai:gpt-4o-2024-08-06"))?.input == 2.5)
        // A self-hosted model has no list price: unknown, never $0.
        #expect(table.cost(usage, for: ModelChoice("openai:qwen2.5-coder-32b")) == nil)
        #expect(table.cost(usage, for: ModelChoice("claude-unknown-9")) == nil)
    }

    @Test func anOverrideWinsWithItsDateAndABadFileIsNamed() throws {
        let override = try PriceTable.parse(
            """
            [[model]]
            provider = "openai"
            prefix = "qwen2.5-coder"
            input = 0.2
            output = 0.6
            since = "2026-11-01"

            [[model]]
            provider = "anthropic"
            prefix = "claude-sonnet-4"
            input = 2.4
            output = 12
            since = "2026-12-01"
            """, origin: "team-prices.toml")
        let table = try Self.shipped.overridden(by: override)
        #expect(table.price(for: ModelChoice("openai:qwen2.5-coder-32b"))?.since == "2026-11-01")
        let sonnet = try #require(table.price(for: ModelChoice("anthropic:claude-sonnet-4-20250514")))
        #expect(sonnet.input == 2.4 && sonnet.since == "2026-12-01" && sonnet.cacheRead == nil)
        // Without a cache price, cache tokens cost what input costs.
        #expect(table.cost(LLMUsage(cacheReadTokens: 1_000_000), for: ModelChoice("claude-sonnet-4-20250514")) == 2.4)
        #expect(throws: PriceTable.FileError(description: "bad.toml: model 1: prefix, input, output and since are required")) {
            try PriceTable.parse("[[model]]\nprovider = \"openai\"\nprefix = \"x\"\n", origin: "bad.toml")
        }
        #expect(throws: PriceTable.FileError.self) { try PriceTable.parse("[[model]]\nprovider = \"azure\"\n", origin: "bad.toml") }
    }

    @Test func thePricedProviderPricesWhatTheProviderCounted() async throws {
        struct Counted: LLMProvider {
            func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
                AsyncThrowingStream { continuation in
                    continuation.yield(.textDelta("ok"))
                    continuation.yield(.finished(stopReason: "end_turn", usage: LLMUsage(inputTokens: 2_000, outputTokens: 1_000, cacheReadTokens: 10_000)))
                    continuation.finish()
                }
            }
        }
        let priced = PricedProvider(Counted(), prices: try Self.shipped)
        let result = try await priced.complete(LLMRequest(model: "claude-sonnet-4-20250514", messages: [.user("x")]))
        #expect(abs((result.usage.cost ?? 0) - (2_000 * 3 + 1_000 * 15 + 10_000 * 0.3) / 1_000_000) < 1e-12)
        #expect(try await priced.complete(LLMRequest(model: "openai:llama3", messages: [.user("x")])).usage.cost == nil)
    }
}
