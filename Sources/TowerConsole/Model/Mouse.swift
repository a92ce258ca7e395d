/// A mouse event from the terminal, in cells from the top left: a press of the first button or a
/// turn of the wheel. Only reported when the console turned mouse reporting on (`--no-mouse`
/// leaves it off, and the terminal's own selection works as ever).
public struct MouseEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case press, wheelUp, wheelDown
    }

    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}
