import Foundation
import Testing
import TowerCore

@testable import TowerLLM

func bedrockFixture(_ name: String) throws -> String {
    try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bedrock/\(name)"), encoding: .utf8)
}

func hexBytes(_ text: String) -> Data {
    var data = Data()
    var high: UInt8?
    for scalar in text.unicodeScalars {
        guard let nibble = UInt8(String(scalar), radix: 16) else { continue }
        if let first = high {
            data.append(first << 4 | nibble)
            high = nil
        } else {
            high = nibble
        }
    }
    return data
}

/// AWS event-stream framing on the public vectors (aws-c-event-stream's empty message, aws-sdk-go's
/// all-headers message) and Bedrock-shaped frames, fed whole and byte by byte.
@Suite struct EventStreamTests {
    @Test func thePublicEmptyMessageVectorDecodes() throws {
        var decoder = EventStreamDecoder()
        let messages = try decoder.feed(hexBytes(try bedrockFixture("eventstream.empty_message.hex.txt")))
        #expect(messages == [EventStreamMessage(headers: [:], payload: Data())])
        #expect(decoder.pending == 0)
        #expect(EventStreamDecoder.encode(EventStreamMessage(headers: [:], payload: Data())) == hexBytes(try bedrockFixture("eventstream.empty_message.hex.txt")))
    }

    @Test func everyHeaderTypeOfTheAllHeadersVectorRoundTripsWithItsLengthsAndPreludeCRC() throws {
        let vector = try JSONValue.parse(try bedrockFixture("eventstream.all_headers.decoded.json"))
        var headers: [String: EventStreamMessage.HeaderValue] = [:]
        guard case .array(let list) = vector["headers"] else { Issue.record("no headers"); return }
        for header in list {
            let name = header["name"]!.string!
            let value = header["value"]!
            switch Int(header["type"]!.number!) {
            case 0, 1: headers[name] = .bool(value == .bool(true))
            case 2: headers[name] = .byte(Int8(truncatingIfNeeded: Int(value.number!)))
            case 3: headers[name] = .int16(Int16(value.number!))
            case 4: headers[name] = .int32(Int32(value.number!))
            case 5: headers[name] = .int64(Int64(value.number!))
            case 6: headers[name] = .bytes(Data(base64Encoded: value.string!)!)
            case 7: headers[name] = .string(String(decoding: Data(base64Encoded: value.string!)!, as: UTF8.self))
            case 8: headers[name] = .timestamp(Int64(value.number!))
            case 9:
                let raw = [UInt8](Data(base64Encoded: value.string!)!)
                headers[name] = .uuid(UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15])))
            default: Issue.record("type \(header["type"]!)")
            }
        }
        let message = EventStreamMessage(headers: headers, payload: Data(base64Encoded: vector["payload"]!.string!)!)
        let frame = EventStreamDecoder.encode(message)
        // The fixture's notes: the lengths and the prelude CRC reproduce (header order is the encoder's).
        #expect(Int(EventStreamDecoder.uint32(frame, at: 0)) == Int(vector["total_length"]!.number!))
        #expect(Int(EventStreamDecoder.uint32(frame, at: 4)) == Int(vector["headers_length"]!.number!))
        #expect(EventStreamDecoder.uint32(frame, at: 8) == UInt32(vector["prelude_crc"]!.number!))
        var decoder = EventStreamDecoder()
        #expect(try decoder.feed(frame) == [message])
    }

    @Test func bedrockChunksDecodeFedWholeOrByteByByte() throws {
        let frames = try bedrockFixture("invoke_with_response_stream.basic.DERIVED.hex.txt").split(separator: "\n").map { hexBytes(String($0)) }
        let expected = try JSONValue.parse(try bedrockFixture("invoke_with_response_stream.basic.DERIVED.json"))
        let all = frames.reduce(Data(), +)
        var whole = EventStreamDecoder()
        let messages = try whole.feed(all)
        guard case .array(let described) = expected["frames"] else { Issue.record("no frames"); return }
        #expect(messages.count == described.count)
        for (message, frame) in zip(messages, described) {
            #expect(message.headers[":event-type"]?.string == frame["headers"]?[":event-type"]?.string)
            #expect(message.messageType == "event")
            #expect(try JSONValue.parse(message.payload)["bytes"]?.string == frame["payload"]?["bytes"]?.string)
        }
        var trickle = EventStreamDecoder()
        var trickled: [EventStreamMessage] = []
        for byte in all { trickled += try trickle.feed(Data([byte])) }
        #expect(trickled == messages)
    }

    @Test func aThrottlingExceptionFrameCarriesItsTypeAndMessage() throws {
        var decoder = EventStreamDecoder()
        let message = try #require(try decoder.feed(hexBytes(try bedrockFixture("invoke_with_response_stream.throttling_exception.DERIVED.hex.txt"))).first)
        #expect(message.messageType == "exception" && message.headers[":exception-type"]?.string == "throttlingException")
        #expect(try JSONValue.parse(message.payload)["message"]?.string == "Too many requests, please wait before trying again.")
    }

    @Test func aDamagedOrOversizedFrameIsRefusedNotTrusted() throws {
        let frame = hexBytes(try bedrockFixture("invoke_with_response_stream.throttling_exception.DERIVED.hex.txt"))
        var payloadFlip = frame
        payloadFlip[payloadFlip.count - 10] ^= 0x20
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamError.self) { try decoder.feed(payloadFlip) }
        var preludeFlip = frame
        preludeFlip[2] ^= 0x01
        var second = EventStreamDecoder()
        #expect(throws: EventStreamError.self) { try second.feed(preludeFlip) }
        // A prelude that claims 1 GiB, with a valid CRC: refused before anything is buffered for it.
        var huge = Data([0x40, 0, 0, 0, 0, 0, 0, 0])
        let crc = CRC32.checksum(huge)
        huge += Data([UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        var third = EventStreamDecoder()
        #expect(throws: EventStreamError.tooLarge(1 << 30)) { try third.feed(huge) }
        // Random bytes never crash it.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var fuzz = EventStreamDecoder()
            var bytes = frame
            for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            _ = try? fuzz.feed(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
        }
    }
}
