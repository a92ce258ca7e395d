/// What the terminal can show, and how theme colours are brought down to it.
public enum ColorDepth: Equatable, Sendable {
    /// No colour: `NO_COLOR`, or a terminal without colours. Attributes only.
    case none
    case ansi8
    case ansi16
    case xterm256
    /// 24-bit colour (a `*-direct` terminfo entry).
    case direct

    /// Picks the depth from the environment and what the terminal reports (`COLORS`).
    public static func detect(environment: [String: String], terminalColors: Int) -> ColorDepth {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
        if terminalColors >= 0x1000000 { return .direct }
        if terminalColors >= 256 { return .xterm256 }
        if terminalColors >= 16 { return .ansi16 }
        if terminalColors >= 8 { return .ansi8 }
        return .none
    }

    /// The terminal colour number for a theme colour: -1 for the terminal's default.
    public func index(of color: Color) -> Int {
        switch (self, color) {
        case (.none, _), (_, .terminalDefault): return -1
        case (.direct, .rgb(let r, let g, let b)): return Int(r) << 16 | Int(g) << 8 | Int(b)
        case (.direct, .ansi(let n)), (.xterm256, .ansi(let n)), (.ansi16, .ansi(let n)): return n
        case (.ansi8, .ansi(let n)): return n % 8
        case (.xterm256, .rgb(let r, let g, let b)): return Self.xterm256(r, g, b)
        case (.ansi16, .rgb(let r, let g, let b)): return Self.nearestANSI(r, g, b, count: 16)
        case (.ansi8, .rgb(let r, let g, let b)): return Self.nearestANSI(r, g, b, count: 8)
        }
    }

    /// The closest of xterm's 6×6×6 cube and 24 greys.
    static func xterm256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        let levels = [0, 95, 135, 175, 215, 255]
        func cube(_ v: UInt8) -> Int { levels.indices.min { abs(levels[$0] - Int(v)) < abs(levels[$1] - Int(v)) }! }
        let (cr, cg, cb) = (cube(r), cube(g), cube(b))
        let cubeColor = (levels[cr], levels[cg], levels[cb])
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let grey = max(0, min(23, (average - 8 + 5) / 10))
        let greyValue = 8 + grey * 10
        func distance(_ c: (Int, Int, Int)) -> Int {
            let dr = c.0 - Int(r), dg = c.1 - Int(g), db = c.2 - Int(b)
            return dr * dr + dg * dg + db * db
        }
        return distance((greyValue, greyValue, greyValue)) < distance(cubeColor) ? 232 + grey : 16 + 36 * cr + 6 * cg + cb
    }

    static let ansiPalette: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func nearestANSI(_ r: UInt8, _ g: UInt8, _ b: UInt8, count: Int) -> Int {
        (0..<count).min { a, c in
            func d(_ i: Int) -> Int {
                let p = ansiPalette[i]
                let dr = p.0 - Int(r), dg = p.1 - Int(g), db = p.2 - Int(b)
                return dr * dr + dg * dg + db * db
            }
            return d(a) < d(c)
        }!
    }
}
