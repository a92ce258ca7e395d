/// A key press as the console understands it, whatever terminal sent it.
public enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl with a letter: `.control("l")`.
    case control(Character)
    case enter, escape, backspace, tab, backTab, delete
    case up, down, left, right, pageUp, pageDown, home, end
    case function(Int)

    /// How the key is written in help and footers, in plain ASCII when the terminal has no UTF-8.
    public func label(ascii: Bool) -> String {
        guard ascii else { return label }
        switch self {
        case .enter: return "Enter"
        case .backspace: return "Bksp"
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        default: return label
        }
    }

    /// How the key is written in help and footers.
    public var label: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "^" + c.uppercased()
        case .enter: "⏎"
        case .escape: "Esc"
        case .backspace: "⌫"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .delete: "Del"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .function(let n): "F\(n)"
        }
    }
}
