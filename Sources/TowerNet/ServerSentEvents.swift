/// One event of a `text/event-stream` (the Anthropic Messages API streams these).
public struct ServerSentEvent: Equatable, Sendable {
    /// The `event:` field; `message` when the stream names none.
    public var event: String
    /// The `data:` lines joined with line feeds.
    public var data: String
    /// The last `id:` seen so far (per the spec it carries over to later events).
    public var id: String?
    /// A `retry:` reconnection time in milliseconds, when the server sent one.
    public var retry: Int?

    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// An incremental `text/event-stream` decoder following the WHATWG rules: bytes arrive in chunks
/// split anywhere (inside a line, a UTF-8 sequence or a CR LF pair); lines end with CR LF, LF or
/// CR; `:` lines are comments (keep-alives); `data:` lines accumulate; a blank line dispatches.
public struct ServerSentEventDecoder: Sendable {
    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var data: [String] = []
    private var hasData = false
    private var eventType = ""
    private var lastEventID: String?
    private var retry: Int?

    public init() {}

    /// Feeds bytes; returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }  // the LF of a CR LF
            }
            switch byte {
            case 0x0D:
                afterCR = true
                if let event = endLine() { events.append(event) }
            case 0x0A:
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// The stream ended. An event still missing its closing blank line is delivered, as the
    /// official SDKs do (the WHATWG text would drop it; a final `message_stop` matters more).
    public mutating func finish() -> [ServerSentEvent] {
        afterCR = false
        if !line.isEmpty, let event = endLine() { return [event] }
        return dispatch().map { [$0] } ?? []
    }

    private mutating func endLine() -> ServerSentEvent? {
        var bytes = line[...]
        line.removeAll(keepingCapacity: true)
        if atStart {
            atStart = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        if bytes.isEmpty { return dispatch() }
        if bytes.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "event": eventType = String(value)
        case "data":
            data.append(String(value))
            hasData = true
        case "id": if !value.contains("\0") { lastEventID = String(value) }
        case "retry": if !value.isEmpty, value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber) { retry = Int(value) }
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll()
            hasData = false
            eventType = ""
            retry = nil
        }
        guard hasData else { return nil }
        return ServerSentEvent(event: eventType.isEmpty ? "message" : eventType, data: data.joined(separator: "\n"), id: lastEventID, retry: retry)
    }
}
