/// A JSON reader over raw bytes that never throws per value. `JSONDecoder` builds a
/// ``JSONValue`` only by trying each type in turn, so a typical payload throws and frees
/// thousands of `DecodingError`s; this reader looks at the next byte and parses once. It is
/// strict about the grammar (RFC 8259), rejects invalid UTF-8 and control characters in
/// strings, and stops at ``maximumDepth`` levels of nesting so hostile input cannot exhaust the
/// stack. It can also skip values without building them, so the listener reads only the
/// members its router needs while still checking the whole body is JSON.
public struct JSONReader {
    /// Deeper nesting is refused (JSONDecoder's own limit is 512).
    public static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The document in `bytes` as a value, or `nil` if it is not exactly one JSON value.
    public static func parse<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> JSONValue? {
        try? parseOrFail(bytes).get()
    }

    /// The document in `bytes` as a value, or where reading it stopped.
    public static func parseOrFail<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Result<JSONValue, JSONValue.ParseError> {
        read(bytes) { reader in reader.parseValue() }
    }

    /// The members named in `keys` of the top-level object, each parsed; every other member is
    /// checked and skipped. `nil` unless the whole document is one JSON object.
    public static func members<Bytes: Sequence<UInt8>>(_ bytes: Bytes, _ keys: Set<String>) -> [String: JSONValue]? {
        try? read(bytes) { reader in reader.parseMembers(keys) }.get()
    }

    private static func read<Bytes: Sequence<UInt8>, Value>(
        _ bytes: Bytes, _ body: (inout JSONReader) -> Value?
    ) -> Result<Value, JSONValue.ParseError> {
        func run(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<Value, JSONValue.ParseError> {
            var reader = JSONReader(buffer)
            guard let result = body(&reader) else { return .failure(JSONValue.ParseError(offset: reader.index)) }
            reader.skipWhitespace()
            return reader.index == buffer.count ? .success(result) : .failure(JSONValue.ParseError(offset: reader.index))
        }
        if let result = bytes.withContiguousStorageIfAvailable(run) { return result }
        return Array(bytes).withUnsafeBufferPointer(run)
    }

    // MARK: Values

    private mutating func parseValue() -> JSONValue? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return parseString().map(JSONValue.string)
        case UInt8(ascii: "{"): return parseObject()
        case UInt8(ascii: "["): return parseArray()
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return parseNumber().map(JSONValue.number)
        }
    }

    /// Checks one value and moves past it without building it.
    private mutating func skipValue() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "{"):
            return container(close: UInt8(ascii: "}")) { reader in
                reader.skipWhitespace()
                guard reader.skipString() else { return false }
                return reader.colon() && reader.skipValue()
            }
        case UInt8(ascii: "["): return container(close: UInt8(ascii: "]")) { reader in reader.skipValue() }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return numberEnd() != nil
        }
    }

    private mutating func parseObject() -> JSONValue? {
        var members: [String: JSONValue] = [:]
        let ok = container(close: UInt8(ascii: "}")) { reader in
            reader.skipWhitespace()
            guard let key = reader.parseString(), reader.colon(), let value = reader.parseValue() else { return false }
            members[key] = value
            return true
        }
        return ok ? .object(members) : nil
    }

    private mutating func parseMembers(_ keys: Set<String>) -> [String: JSONValue]? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        var members: [String: JSONValue] = [:]
        let ok = container(close: UInt8(ascii: "}")) { reader in
            reader.skipWhitespace()
            guard let key = reader.parseString(), reader.colon() else { return false }
            guard keys.contains(key) else { return reader.skipValue() }
            guard let value = reader.parseValue() else { return false }
            members[key] = value
            return true
        }
        return ok ? members : nil
    }

    private mutating func parseArray() -> JSONValue? {
        var elements: [JSONValue] = []
        let ok = container(close: UInt8(ascii: "]")) { reader in
            guard let value = reader.parseValue() else { return false }
            elements.append(value)
            return true
        }
        return ok ? .array(elements) : nil
    }

    /// An object or array at `index` (its opening byte): `element` reads each entry; commas,
    /// the closing byte and the depth limit are checked here.
    private mutating func container(close: UInt8, _ element: (inout JSONReader) -> Bool) -> Bool {
        guard depth < Self.maximumDepth else { return false }
        depth += 1
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == close {
            index += 1
            return true
        }
        while true {
            guard element(&self) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            index += 1
            if byte == close { return true }
            guard byte == UInt8(ascii: ",") else { return false }
        }
    }

    private mutating func colon() -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
        index += 1
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        let start = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] { return false }
        index += count
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() -> Double? {
        let start = index
        guard let end = numberEnd() else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
        // Short numbers fit String's inline storage: no allocation.
        // Out of Double's range is refused, as JSONDecoder does: infinity cannot be written back.
        guard let value = Double(String(decoding: slice, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// Moves past a number in JSON's grammar (`-? int frac? exp?`), returning where it ends.
    private mutating func numberEnd() -> Int? {
        func digits(_ reader: inout JSONReader) -> Int {
            let start = reader.index
            while reader.index < reader.bytes.count, (0x30...0x39).contains(reader.bytes[reader.index]) { reader.index += 1 }
            return reader.index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits(&self) == 0 {
            return nil
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { return nil }
        }
        return index
    }

    // MARK: Strings

    /// The string at `index` (its opening quote), unescaped; `nil` if it is not valid JSON or UTF-8.
    private mutating func parseString() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var ascii = true
        // The common case: no escapes, so the bytes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return Self.string(slice, ascii: ascii)
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { return nil }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        guard index < bytes.count else { return nil }
        var scalars = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return scalars.withUnsafeBufferPointer { Self.string($0, ascii: ascii) }
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    // Written as UTF-8 here, so the whole is checked again below.
                    UTF8.encode(scalar) { scalars.append($0) }
                    if scalar.value >= 0x80 { ascii = false }
                default: return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                if byte >= 0x80 { ascii = false }
                scalars.append(byte)
            }
        }
        return nil
    }

    /// The bytes as a string, if they are UTF-8. `String(validating:as:)` would do, but it is
    /// generic over the encoding and looks its metadata up on every call: a third of the time
    /// of reading a webhook body.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> String? {
        guard ascii || UTF8Text.isValid(bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// After `\u`: four hex digits, a surrogate pair as one scalar; a lone surrogate becomes
    /// U+FFFD rather than failing the whole document.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800...0xDBFF).contains(high) {
            if bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                let saved = index
                index += 2
                guard let low = hex4() else { return nil }
                if (0xDC00...0xDFFF).contains(low) {
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                }
                index = saved
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(high) ?? "\u{FFFD}"
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x57
            case 0x41...0x46: digit = byte - 0x37
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Checks a string and moves past it without building it.
    private mutating func skipString() -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
        index += 1
        let start = index
        var plain = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                // UTF-8 is checked only where it is not plain ASCII.
                return plain || UTF8Text.isValid(UnsafeBufferPointer(rebasing: bytes[start..<index - 1]))
            }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { return false }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    index += 2
                    guard hex4() != nil else { return false }
                default: return false
                }
                continue
            }
            guard byte >= 0x20 else { return false }
            if byte >= 0x80 { plain = false }
            index += 1
        }
        return false
    }
}
