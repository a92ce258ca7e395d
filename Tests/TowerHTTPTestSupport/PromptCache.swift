import Foundation
import TowerCore

/// Anthropic's prompt cache as its documentation describes it, for stand-ins that report usage
/// the way the API does: a request is read in the order tools → system → messages; a
/// `cache_control` breakpoint caches the prefix up to and including its block when that prefix
/// has at least `minimumTokens` tokens (1,024 for Sonnet); a later request reads the longest
/// cached prefix it starts with, found at its breakpoints or up to 20 blocks before each; an
/// entry lives five minutes from its last use. Usage then splits the input into
/// `cache_read_input_tokens`, `cache_creation_input_tokens` (up to the last breakpoint) and
/// `input_tokens` (after it). Tokens are estimated at four bytes each.
public final class PromptCache: @unchecked Sendable {
    /// What one request's input was, as the API's usage reports it.
    public struct Usage: Sendable, Equatable {
        public var input: Int
        public var write: Int
        public var read: Int
    }

    private let lock = NSLock()
    private var entries: [UInt64: Date] = [:]
    let minimumTokens: Int
    let lifetime: TimeInterval

    public init(minimumTokens: Int = 1024, lifetime: TimeInterval = 300) {
        self.minimumTokens = minimumTokens
        self.lifetime = lifetime
    }

    /// The usage of a Messages API request body, caching what its breakpoints mark.
    public func usage(of body: JSONValue, now: Date = Date()) -> Usage {
        let blocks = Self.blocks(of: body)
        var tokens: [Int] = []  // through block i
        var digests: [UInt64] = []  // of the prefix through block i
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        var total = 0
        for block in blocks {
            total += max(1, block.text.utf8.count / 4)
            for byte in block.text.utf8 {
                digest ^= UInt64(byte)
                digest = digest &* 0x0000_0100_0000_01B3
            }
            tokens.append(total)
            digests.append(digest)
        }
        let marks = blocks.indices.filter { blocks[$0].marked }
        guard let last = marks.last else { return Usage(input: total, write: 0, read: 0) }
        return lock.withLock {
            entries = entries.filter { now.timeIntervalSince($0.value) < lifetime }
            var hit: Int?
            for mark in marks {
                for position in stride(from: mark, through: max(0, mark - 20), by: -1) where entries[digests[position]] != nil {
                    if hit == nil || position > hit! { hit = position }
                    break
                }
            }
            if let hit { entries[digests[hit]] = now }
            let read = hit.map { tokens[$0] } ?? 0
            var write = 0
            if tokens[last] >= minimumTokens, last > (hit ?? -1) {
                write = tokens[last] - read
                for mark in marks where tokens[mark] >= minimumTokens { entries[digests[mark]] = now }
            }
            return Usage(input: total - read - write, write: write, read: read)
        }
    }

    /// The request's blocks in cache order, each as canonical JSON without its `cache_control`.
    static func blocks(of body: JSONValue) -> [(text: String, marked: Bool)] {
        var out: [(String, Bool)] = []
        func add(_ value: JSONValue, prefix: String = "") {
            var marked = false
            var value = value
            if case .object(var fields) = value, fields["cache_control"] != nil {
                fields["cache_control"] = nil
                marked = true
                value = .object(fields)
            }
            out.append((prefix + AnthropicStandIn.encode(value), marked))
        }
        if case .array(let tools)? = body["tools"] { tools.forEach { add($0) } }
        switch body["system"] {
        case .string(let text)?: add(.object(["type": .string("text"), "text": .string(text)]))
        case .array(let blocks)?: blocks.forEach { add($0) }
        default: break
        }
        if case .array(let messages)? = body["messages"] {
            for message in messages {
                let role = message["role"]?.string ?? ""
                switch message["content"] {
                case .string(let text)?: add(.object(["type": .string("text"), "text": .string(text)]), prefix: role)
                case .array(let blocks)?: blocks.forEach { add($0, prefix: role) }
                default: break
                }
            }
        }
        return out
    }
}
