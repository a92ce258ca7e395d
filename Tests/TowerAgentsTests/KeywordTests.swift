import Testing

@testable import TowerAgents

@Suite struct KeywordTests {
    @Test func identifiersPathsAndQuotedStringsComeFirst() {
        let keywords = KeywordExtractor.keywords(
            in: "Add retries to `InvoiceClient.fetch_invoice` in billing/client.py; it fails with \"connection reset by peer\" under load")
        let texts = keywords.map(\.text)
        #expect(texts.contains("billing/client.py"))
        #expect(texts.contains("InvoiceClient"))
        #expect(texts.contains("fetch_invoice"))
        #expect(texts.contains("connection reset by peer"))
        #expect(keywords.first?.kind == .path)
        #expect(!texts.contains("the") && !texts.contains("add"))
        #expect(texts.contains("retries") && texts.contains("load"))
    }
}
