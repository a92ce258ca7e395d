/// Short, typable task ids (`t-` and 8 Crockford base-32 characters) and unguessable tokens.
public enum TaskID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// A new random id, e.g. `t-4k9x2m7q`. 40 random bits; the store's primary key catches the rare clash.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return "t-" + String((0..<8).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] })
    }
}

/// Random secrets such as approval tokens: 128 bits, hex.
public enum Token {
    /// A new token.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let a = generator.next() as UInt64
        let b = generator.next() as UInt64
        return hex(a) + hex(b)
    }

    private static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
