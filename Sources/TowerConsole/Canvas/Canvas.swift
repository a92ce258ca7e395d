/// One screen cell: a grapheme (empty for the right half of a double-width one) and its style.
public struct Cell: Equatable, Sendable {
    public var text: String
    public var width: Int
    public var style: Style

    public init(_ text: String = " ", width: Int = 1, style: Style = .plain) {
        self.text = text
        self.width = width
        self.style = style
    }

    public static let blank = Cell()
}

/// A grid of cells the views draw into: what the terminal shows, as a value. Tests read it as
/// text; the backend turns it into ncurses calls.
public struct Canvas: Equatable, Sendable {
    public let size: Size
    public private(set) var cells: [Cell]

    public init(size: Size) {
        self.size = size
        self.cells = Array(repeating: .blank, count: size.width * size.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: size.width, height: size.height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * size.width + x] }
        set { cells[y * size.width + x] = newValue }
    }

    /// Fills a rectangle with blanks of a style.
    public mutating func fill(_ rect: Rect, style: Style = .plain, with text: String = " ") {
        for y in max(0, rect.y)..<min(size.height, rect.maxY) {
            for x in max(0, rect.x)..<min(size.width, rect.maxX) { self[x, y] = Cell(text, width: 1, style: style) }
        }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` columns and the canvas; returns the columns used.
    ///
    /// Control characters are shown as `�` so that nothing a log line or a PR says can reach the
    /// terminal as an escape sequence; a tab becomes a space; a double-width grapheme that does not
    /// fit whole is replaced by a space.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < size.height else { return 0 }
        let limit = min(size.width, x + (maxWidth ?? size.width))
        var column = x
        for character in text {
            guard column < limit else { break }
            var shown = String(character)
            var width = DisplayWidth.of(character)
            if character == "\t" {
                shown = " "
                width = 1
            } else if width == 0 {
                if character.unicodeScalars.first.map({ $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }) ?? false {
                    shown = "�"
                    width = 1
                } else {
                    continue  // a lone combining mark: nothing to place
                }
            }
            if column < 0 {
                column += width
                continue
            }
            if width == 2 && column + 1 >= limit {
                self[column, y] = Cell(" ", width: 1, style: style)
                column += 1
                break
            }
            self[column, y] = Cell(shown, width: width, style: style)
            if width == 2 { self[column + 1, y] = Cell("", width: 0, style: style) }
            column += width
        }
        return column - x
    }

    /// Applies `style` to every cell of a rectangle, keeping the text.
    public mutating func restyle(_ rect: Rect, _ transform: (inout Style) -> Void) {
        for y in max(0, rect.y)..<min(size.height, rect.maxY) {
            for x in max(0, rect.x)..<min(size.width, rect.maxX) { transform(&self[x, y].style) }
        }
    }

    /// The canvas as lines of text, trailing blanks removed: what a snapshot compares.
    public func text() -> String {
        var lines: [String] = []
        for y in 0..<size.height {
            var line = ""
            for x in 0..<size.width { line += self[x, y].text }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

extension Canvas {
    /// Look-alikes for the punctuation titles, logs and plans use most.
    static let asciiLookAlikes: [String: String] = [
        "—": "-", "–": "-", "‐": "-", "−": "-", "…": "~", "“": "\"", "”": "\"", "„": "\"", "‘": "'", "’": "'", "→": ">", "←": "<", "↑": "^",
        "↓": "v", "•": "*", "·": ".", "×": "x", "✓": "+", "✔": "+", "✗": "x", "✘": "x", "\u{00A0}": " ", "�": "?",
    ]

    /// Every cell in plain ASCII, for a terminal without UTF-8 (`LANG=C`, a serial console):
    /// look-alikes for common punctuation, `?` for anything else; a double-width character
    /// becomes `?` and a space, so columns stay where they were.
    public mutating func makeASCII() {
        for index in cells.indices {
            let cell = cells[index]
            guard cell.text.isEmpty || !cell.text.allSatisfy(\.isASCII) else { continue }
            if cell.text.isEmpty {
                cells[index] = Cell(" ", width: 1, style: cell.style)  // the right half of a double-width character
            } else {
                cells[index] = Cell(cell.width == 1 ? Self.asciiLookAlikes[cell.text] ?? "?" : "?", width: 1, style: cell.style)
            }
        }
    }
}
