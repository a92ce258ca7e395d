import Foundation
import Testing
import TowerNet

private func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)"))
}

@Suite struct ServerSentEventsTests {
    @Test func decodesAnthropicsStreamIncludingPings() throws {
        var decoder = ServerSentEventDecoder()
        let events = decoder.feed(try fixture("stream.basic_text.sse.txt")) + decoder.finish()
        #expect(events.first?.event == "message_start")
        #expect(events.contains { $0.event == "ping" })
        #expect(events.last?.event == "message_stop")
        let text = events.filter { $0.event == "content_block_delta" }.compactMap { event -> String? in
            let json = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
            return (json?["delta"] as? [String: Any])?["text"] as? String
        }.joined()
        #expect(text == "Hello there!")
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func chunkBoundariesAnywhereGiveTheSameEvents(chunk: Int) throws {
        let bytes = [UInt8](try fixture("stream.tool_use.sse.txt"))
        var whole = ServerSentEventDecoder()
        let expected = whole.feed(bytes) + whole.finish()
        var pieces = ServerSentEventDecoder()
        var got: [ServerSentEvent] = []
        var i = 0
        while i < bytes.count {
            got += pieces.feed(bytes[i..<min(bytes.count, i + chunk)])
            i += chunk
        }
        got += pieces.finish()
        #expect(got == expected)
        #expect(expected.count > 5)
    }

    @Test func followsTheSpecForLinesFieldsAndComments() {
        var decoder = ServerSentEventDecoder()
        let stream = "\u{FEFF}: keep-alive\r\nevent: update\r\ndata: line one\rdata:line two\n\ndata\nid: 7\nretry: 1500\n\ndata: no blank line at the end"
        let events = decoder.feed(Array(stream.utf8))
        #expect(events == [
            ServerSentEvent(event: "update", data: "line one\nline two"),
            ServerSentEvent(event: "message", data: "", id: "7", retry: 1500),
        ])
        #expect(decoder.finish() == [ServerSentEvent(data: "no blank line at the end", id: "7")])
        #expect(decoder.finish().isEmpty)
    }

    @Test func aCRLFSplitAcrossChunksIsOneLineEnd() {
        var decoder = ServerSentEventDecoder()
        #expect(decoder.feed(Array("data: a\r".utf8)).isEmpty)
        #expect(decoder.feed(Array("\n\r".utf8)) == [ServerSentEvent(data: "a")])
        #expect(decoder.feed(Array("\ndata: b\n\n".utf8)) == [ServerSentEvent(data: "b")])
    }

    @Test func multiByteCharactersSplitAcrossChunksSurvive() {
        var decoder = ServerSentEventDecoder()
        let bytes = Array("data: 日本🚀\n\n".utf8)
        var events: [ServerSentEvent] = []
        for byte in bytes { events += decoder.feed([byte]) }
        #expect(events == [ServerSentEvent(data: "日本🚀")])
    }

    @Test func theOverloadedErrorEventArrivesAsAnEvent() throws {
        var decoder = ServerSentEventDecoder()
        let events = decoder.feed(try fixture("stream.error_overloaded.sse.txt"))
        #expect(events.map(\.event) == ["error"])
        #expect(events.first?.data.contains("overloaded_error") == true)
    }
}
