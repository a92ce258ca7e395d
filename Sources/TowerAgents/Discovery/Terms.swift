/// How paths, code and keywords become index terms, the same way on both sides: lowercase,
/// identifiers kept whole in one spelling and split into their parts (`RateLimiter`,
/// `rate_limiter` → `ratelimiter`, `rate`, `limiter`), a plural `s` dropped, so `limits` in a
/// ticket meets `limit` in code.
enum Terms {
    /// The terms of a text (code or prose). Reads UTF-8 bytes, not Characters: this runs over
    /// megabytes of code per ticket. ASCII letters, digits and `_` make words; any non-ASCII
    /// byte counts as a letter, so words in other scripts stay whole.
    static func of(_ text: Substring) -> [String] {
        var terms: [String] = []
        var word: [UInt8] = []
        word.reserveCapacity(64)
        // A kebab-case name (`gateway-base`) is also indexed joined, as its other spellings are.
        var kebab = ""
        var hyphenPending = false
        func flush() {
            defer { word.removeAll(keepingCapacity: true) }
            guard word.count >= 2 else {
                kebab = ""
                return
            }
            let text = String(decoding: word, as: UTF8.self)
            let whole = normalise(text)
            terms.append(whole)
            let parts = split(text)
            if parts.count > 1 { for part in parts where part.utf8.count >= 2 { terms.append(normalise(part)) } }
            if hyphenPending, !kebab.isEmpty {
                // Rare in code: only a hyphen between two words gets here.
                kebab += text
                terms.append(normalise(kebab))
            } else {
                kebab = text
            }
        }
        for byte in text.utf8 {
            if isWordByte(byte) {
                word.append(byte)
                if word.count > 64 { flush() }
            } else {
                if !word.isEmpty {
                    flush()
                    hyphenPending = byte == 0x2D
                    if !hyphenPending { kebab = "" }
                } else {
                    hyphenPending = false
                    kebab = ""
                }
            }
        }
        flush()
        return terms
    }

    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte >= 0x80
    }

    static func of(_ text: String) -> [String] { of(Substring(text)) }

    /// The parts of an identifier: split at `_` and at lower→upper and acronym boundaries.
    static func split(_ identifier: String) -> [String] {
        var parts: [String] = []
        var current = ""
        let chars = Array(identifier)
        for (i, ch) in chars.enumerated() {
            if ch == "_" {
                if !current.isEmpty { parts.append(current) }
                current = ""
                continue
            }
            if ch.isUppercase, !current.isEmpty {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    parts.append(current)
                    current = ""
                }
            }
            current.append(ch)
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// Lowercase without `_` (so `GatewayBase`, `gateway_base`, `GATEWAY_BASE` and, joined,
    /// `gateway-base` are one term: an identifier's parts count only together), with a plural
    /// `s` dropped (not `ss`, not short words).
    static func normalise(_ word: String) -> String {
        var lower = word.lowercased()
        if lower.contains("_") {
            let joined = lower.filter { $0 != "_" }
            if joined.count >= 2 { lower = joined }
        }
        if lower.count > 4, lower.hasSuffix("ies") { return String(lower.dropLast(3)) + "y" }
        if lower.count > 3, lower.hasSuffix("s"), !lower.hasSuffix("ss"), !lower.hasSuffix("us"), !lower.hasSuffix("is") { return String(lower.dropLast()) }
        return lower
    }

    /// The terms a keyword is searched as: an identifier or a path as its whole and its parts,
    /// a phrase as its words. A kebab-case identifier (a flag, `--proxy-headers`) is its joined
    /// spelling first, the one `proxy_headers` in code shares.
    static func forKeyword(_ keyword: Keyword) -> [String] {
        var seen = Set<String>()
        let terms = of(keyword.text).filter { seen.insert($0).inserted }
        let name = keyword.text.drop { $0 == "-" }
        guard keyword.kind == .identifier, name.contains("-"), !name.contains(where: { $0 == "/" || $0 == " " }) else { return terms }
        let joined = normalise(name.split(separator: "-").joined())
        return [joined] + terms.filter { $0 != joined }
    }
}
