/// A run of text in one style.
public struct Span: Equatable, Sendable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// A line made of spans: what the widgets produce and `Canvas.draw(line:)` places.
public typealias StyledLine = [Span]

extension Canvas {
    /// Draws spans from (x, y), clipped to `width` columns; returns the columns used.
    @discardableResult
    public mutating func draw(_ line: StyledLine, x: Int, y: Int, width: Int) -> Int {
        var used = 0
        for span in line where used < width {
            used += put(span.text, x: x + used, y: y, style: span.style, maxWidth: width - used)
        }
        return used
    }
}

/// Wraps styled lines to a width, keeping each span's style.
enum StyledWrap {
    static func wrap(_ line: StyledLine, width: Int, indent: Int = 0) -> [StyledLine] {
        guard width > indent + 1 else { return [line] }
        let plain = line.map(\.text).joined()
        guard DisplayWidth.of(plain) > width else { return [line] }
        var rows: [StyledLine] = []
        var current: StyledLine = []
        var used = 0
        for span in line {
            var rest = Substring(span.text)
            while !rest.isEmpty {
                let room = width - used
                var take = ""
                var w = 0
                for c in rest {
                    let cw = DisplayWidth.of(c)
                    if w + cw > room { break }
                    take.append(c)
                    w += cw
                }
                if take.isEmpty {
                    rows.append(current)
                    current = [Span(String(repeating: " ", count: indent))]
                    used = indent
                    continue
                }
                // Prefer to break at the last space when the span continues.
                if take.count < rest.count, let space = take.lastIndex(of: " "), space > take.startIndex, used + w > width / 2 {
                    take = String(take[...space])
                    w = DisplayWidth.of(take)
                }
                current.append(Span(take, span.style))
                used += w
                rest = rest.dropFirst(take.count)
                if !rest.isEmpty {
                    rows.append(current)
                    current = [Span(String(repeating: " ", count: indent))]
                    used = indent
                }
            }
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }
}
