import Foundation

/// One message of AWS's `application/vnd.amazon.eventstream` framing: what Bedrock streams a
/// model's answer in.
public struct EventStreamMessage: Sendable, Equatable {
    /// A header value, in the framing's ten types.
    public enum HeaderValue: Sendable, Equatable {
        case bool(Bool)
        case byte(Int8)
        case int16(Int16)
        case int32(Int32)
        case int64(Int64)
        case bytes(Data)
        case string(String)
        /// Milliseconds since the epoch.
        case timestamp(Int64)
        case uuid(UUID)

        /// The value as text, for the string headers AWS routes on (`:event-type`).
        public var string: String? {
            if case .string(let text) = self { return text }
            return nil
        }
    }

    public var headers: [String: HeaderValue]
    public var payload: Data

    public init(headers: [String: HeaderValue], payload: Data) {
        self.headers = headers
        self.payload = payload
    }

    /// `:message-type`: `event`, `exception` or `error`.
    public var messageType: String? { headers[":message-type"]?.string }
}

/// Why a frame was refused: outside input never crashes or exhausts the decoder.
public enum EventStreamError: Error, Equatable, CustomStringConvertible {
    case preludeChecksum(expected: UInt32, actual: UInt32)
    case messageChecksum(expected: UInt32, actual: UInt32)
    case malformed(String)
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .preludeChecksum(let expected, let actual): String(format: "event-stream prelude CRC mismatch (frame says %08x, computed %08x)", expected, actual)
        case .messageChecksum(let expected, let actual): String(format: "event-stream message CRC mismatch (frame says %08x, computed %08x)", expected, actual)
        case .malformed(let why): "malformed event-stream frame: \(why)"
        case .tooLarge(let length): "event-stream frame of \(length) bytes is over the 16 MiB limit"
        }
    }
}

/// An incremental decoder: feed it bytes as they arrive, take whole messages out. Both CRCs
/// are checked; lengths are bounded (AWS caps a frame at 16 MiB, headers at 128 KiB).
public struct EventStreamDecoder: Sendable {
    static let maximumFrame = 16 << 20
    static let maximumHeaders = 128 << 10
    var buffer = Data()

    public init() {}

    /// The whole messages `bytes` completes, in order.
    public mutating func feed(_ bytes: Data) throws -> [EventStreamMessage] {
        buffer.append(bytes)
        var messages: [EventStreamMessage] = []
        while buffer.count >= 12 {
            let start = buffer.startIndex
            let total = Int(Self.uint32(buffer, at: start))
            let headersLength = Int(Self.uint32(buffer, at: start + 4))
            let preludeCRC = Self.uint32(buffer, at: start + 8)
            let computed = CRC32.checksum(buffer[start..<start + 8])
            guard computed == preludeCRC else { throw EventStreamError.preludeChecksum(expected: preludeCRC, actual: computed) }
            guard total <= Self.maximumFrame else { throw EventStreamError.tooLarge(total) }
            guard total >= 16, headersLength <= Self.maximumHeaders, headersLength <= total - 16 else {
                throw EventStreamError.malformed("lengths \(total) and \(headersLength) do not fit")
            }
            guard buffer.count >= total else { break }
            let frame = buffer[start..<start + total]
            buffer = Data(buffer[(start + total)...])
            messages.append(try Self.decode(frame: Data(frame), headersLength: headersLength))
        }
        return messages
    }

    /// Bytes fed but not yet a whole message (a stream that ends here ended mid-frame).
    public var pending: Int { buffer.count }

    static func decode(frame: Data, headersLength: Int) throws -> EventStreamMessage {
        let bytes = [UInt8](frame)
        let messageCRC = uint32(bytes, at: bytes.count - 4)
        let computed = CRC32.checksum(bytes[0..<(bytes.count - 4)])
        guard computed == messageCRC else { throw EventStreamError.messageChecksum(expected: messageCRC, actual: computed) }
        var headers: [String: EventStreamMessage.HeaderValue] = [:]
        var index = 12
        let end = 12 + headersLength
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, index + count <= end else { throw EventStreamError.malformed("a header runs past the headers") }
            defer { index += count }
            return bytes[index..<index + count]
        }
        func integer(_ count: Int) throws -> UInt64 { try take(count).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        while index < end {
            let nameLength = Int(try integer(1))
            guard let name = String(bytes: try take(nameLength), encoding: .utf8) else { throw EventStreamError.malformed("a header name is not UTF-8") }
            let type = try integer(1)
            let value: EventStreamMessage.HeaderValue
            switch type {
            case 0: value = .bool(true)
            case 1: value = .bool(false)
            case 2: value = .byte(Int8(bitPattern: UInt8(try integer(1))))
            case 3: value = .int16(Int16(bitPattern: UInt16(try integer(2))))
            case 4: value = .int32(Int32(bitPattern: UInt32(try integer(4))))
            case 5: value = .int64(Int64(bitPattern: try integer(8)))
            case 6: value = .bytes(Data(try take(Int(try integer(2)))))
            case 7:
                guard let text = String(bytes: try take(Int(try integer(2))), encoding: .utf8) else { throw EventStreamError.malformed("header \(name) is not UTF-8") }
                value = .string(text)
            case 8: value = .timestamp(Int64(bitPattern: try integer(8)))
            case 9:
                let raw = Array(try take(16))
                value = .uuid(UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15])))
            default: throw EventStreamError.malformed("header \(name) has unknown type \(type)")
            }
            headers[name] = value
        }
        return EventStreamMessage(headers: headers, payload: Data(bytes[end..<(bytes.count - 4)]))
    }

    /// Encodes a message (the stand-in servers of the tests speak Bedrock with it).
    public static func encode(_ message: EventStreamMessage) -> Data {
        var headers = Data()
        for (name, value) in message.headers.sorted(by: { $0.key < $1.key }) {
            headers.append(UInt8(name.utf8.count))
            headers.append(contentsOf: Array(name.utf8))
            func append<T: FixedWidthInteger>(_ number: T) { withUnsafeBytes(of: number.bigEndian) { headers.append(contentsOf: $0) } }
            switch value {
            case .bool(let flag): headers.append(flag ? 0 : 1)
            case .byte(let number): headers.append(2); append(number)
            case .int16(let number): headers.append(3); append(number)
            case .int32(let number): headers.append(4); append(number)
            case .int64(let number): headers.append(5); append(number)
            case .bytes(let data): headers.append(6); append(UInt16(data.count)); headers.append(data)
            case .string(let text): headers.append(7); append(UInt16(text.utf8.count)); headers.append(contentsOf: Array(text.utf8))
            case .timestamp(let millis): headers.append(8); append(millis)
            case .uuid(let uuid): headers.append(9); withUnsafeBytes(of: uuid.uuid) { headers.append(contentsOf: $0) }
            }
        }
        var frame = Data()
        func append32(_ number: UInt32) { withUnsafeBytes(of: number.bigEndian) { frame.append(contentsOf: $0) } }
        append32(UInt32(16 + headers.count + message.payload.count))
        append32(UInt32(headers.count))
        append32(CRC32.checksum(frame))
        frame.append(headers)
        frame.append(message.payload)
        append32(CRC32.checksum(frame))
        return frame
    }

    static func uint32<C: Collection>(_ bytes: C, at index: C.Index) -> UInt32 where C.Element == UInt8, C.Index == Int {
        (UInt32(bytes[index]) << 24) | (UInt32(bytes[index + 1]) << 16) | (UInt32(bytes[index + 2]) << 8) | UInt32(bytes[index + 3])
    }
}
