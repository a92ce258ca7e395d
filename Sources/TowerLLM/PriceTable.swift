import Foundation
import TOMLKit

/// What models cost, as data (`pricing/models.toml`, overridable with `TOWER_PRICES_FILE`): per
/// million tokens of input, output, prompt-cache writes and reads, each price with the date it
/// took effect. A model the table does not list has no price: shown as "price unknown", never
/// as $0.
public struct PriceTable: Sendable, Equatable {
    /// One model's prices in US dollars per million tokens.
    public struct Price: Sendable, Equatable {
        public var provider: ModelChoice.Provider
        public var prefix: String
        public var input: Double
        public var output: Double
        /// Writing the prompt cache; input's price when the provider lists none.
        public var cacheWrite: Double?
        /// Reading it; input's price when the provider lists none.
        public var cacheRead: Double?
        /// When the price took effect (`2025-05-22`).
        public var since: String

        public init(provider: ModelChoice.Provider, prefix: String, input: Double, output: Double, cacheWrite: Double? = nil, cacheRead: Double? = nil, since: String) {
            self.provider = provider
            self.prefix = prefix
            self.input = input
            self.output = output
            self.cacheWrite = cacheWrite
            self.cacheRead = cacheRead
            self.since = since
        }
    }

    public var prices: [Price]

    public init(prices: [Price]) {
        self.prices = prices
    }

    /// Why a price file could not be read.
    public struct FileError: Error, Equatable, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The `[[model]]` rows of a price file.
    public static func parse(_ text: String, origin: String) throws -> PriceTable {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch { throw FileError(description: "\(origin): not TOML: \(error)") }
        guard let rows = table["model"]?.array else { throw FileError(description: "\(origin): no [[model]] rows") }
        var prices: [Price] = []
        for (index, row) in rows.enumerated() {
            func number(_ key: String) -> Double? { row[key]?.double ?? row[key]?.int.map(Double.init) }
            guard let providerName = row["provider"]?.string, let provider = ModelChoice.Provider(rawValue: providerName) else {
                throw FileError(description: "\(origin): model \(index + 1): provider must be one of \(ModelChoice.Provider.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let prefix = row["prefix"]?.string, !prefix.isEmpty, let input = number("input"), let output = number("output"), let since = row["since"]?.string
            else { throw FileError(description: "\(origin): model \(index + 1): prefix, input, output and since are required") }
            prices.append(Price(provider: provider, prefix: prefix, input: input, output: output, cacheWrite: number("cache_write"), cacheRead: number("cache_read"), since: since))
        }
        return PriceTable(prices: prices)
    }

    /// `overrides`' rows first: they win over the shipped ones for the same model.
    public func overridden(by overrides: PriceTable) -> PriceTable { PriceTable(prices: overrides.prices + prices) }

    /// The price of `choice`: the longest matching prefix of its provider's rows (an override
    /// of the same prefix first).
    public func price(for choice: ModelChoice) -> Price? {
        let name = Self.withoutRegion(choice)
        var best: Price?
        for price in prices where price.provider == choice.provider && name.hasPrefix(price.prefix) {
            if best == nil || price.prefix.count > best!.prefix.count { best = price }
        }
        return best
    }

    /// What `usage` cost on `choice`, or nil when its price is unknown.
    public func cost(_ usage: LLMUsage, for choice: ModelChoice) -> Double? {
        guard let price = price(for: choice) else { return nil }
        let dollars =
            Double(usage.inputTokens) * price.input + Double(usage.outputTokens) * price.output
            + Double(usage.cacheWriteTokens) * (price.cacheWrite ?? price.input) + Double(usage.cacheReadTokens) * (price.cacheRead ?? price.input)
        return dollars / 1_000_000
    }

    /// A Bedrock cross-region profile's model without its region (`us.anthropic.claude…`).
    static func withoutRegion(_ choice: ModelChoice) -> String {
        guard choice.provider == .bedrock, let dot = choice.model.firstIndex(of: ".") else { return choice.model }
        let region = choice.model[..<dot]
        return ["us", "eu", "apac", "global", "us-gov", "ca", "jp", "au"].contains(String(region)) ? String(choice.model[choice.model.index(after: dot)...]) : choice.model
    }
}

/// A provider whose answers are priced: each call's usage gets its cost from the table, for the
/// model as the request names it (`provider:model`).
public struct PricedProvider: LLMProvider {
    public let inner: any LLMProvider
    public let prices: PriceTable

    public init(_ inner: any LLMProvider, prices: PriceTable) {
        self.inner = inner
        self.prices = prices
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        let choice = ModelChoice(request.model)
        let upstream = inner.stream(request)
        let prices = prices
        return providerStream { continuation in
            for try await event in upstream {
                if case .finished(let reason, var usage) = event {
                    usage.cost = prices.cost(usage, for: choice)
                    continuation.yield(.finished(stopReason: reason, usage: usage))
                } else {
                    continuation.yield(event)
                }
            }
        }
    }
}
