/// A seeded generator, so a failing property or fuzz run can be replayed from its printed seed.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Byte-level mutations of real inputs, as a fuzzer makes them: the parsers' property tests
/// start from the services' own payloads and break them in the ways that find bugs.
public enum ByteMutations {
    /// `bytes` changed once or a few times: flipped bytes, cut, a chunk repeated, removed or
    /// moved, interesting bytes inserted.
    public static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let count = bytes.count
            let at = count == 0 ? 0 : Int.random(in: 0..<count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where count > 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes = Array(bytes.prefix(at))
            case 2 where count > 0:
                let end = min(count, at + Int.random(in: 1...64, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            case 3 where count > 0: bytes.removeSubrange(at..<min(count, at + Int.random(in: 1...64, using: &rng)))
            case 4:
                let interesting: [[UInt8]] = [[0x22], [0x5C], [0x5C, 0x75, 0x44, 0x38, 0x30, 0x30], [0x7B], [0x5B], [0x5D], [0x7D], [0x2C], [0x3A], [0x00], [0xFF],
                    [0xC3], [0xED, 0xA0, 0x80], Array("1e999".utf8), Array("-0.0e-0".utf8), Array("&=&".utf8), Array("%ZZ".utf8), [0x0A]]
                bytes.insert(contentsOf: interesting.randomElement(using: &rng)!, at: at)
            case 5 where count > 1:
                let other = Int.random(in: 0..<count, using: &rng)
                bytes.swapAt(at, other)
            default:
                bytes.insert(UInt8.random(in: 0x20...0x7E, using: &rng), at: at)
            }
        }
        return bytes
    }
}
