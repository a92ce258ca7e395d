/// What the terminal sends the console.
public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    /// A click or a wheel turn, when the terminal reports the mouse.
    case mouse(MouseEvent)
    case resize(Size)
    /// SIGINT or SIGTERM: leave cleanly.
    case interrupt
}

/// The one piece that talks to the real terminal (ncursesw). The runtime hands it whole frames;
/// it decides how to draw them, on its own thread.
public protocol Terminal: AnyObject, Sendable {
    /// Keys, resizes and interrupts, in order.
    var inputs: AsyncStream<TerminalInput> { get }
    /// The size now.
    var size: Size { get }
    /// Whether box drawing and marks may use Unicode.
    var supportsUnicode: Bool { get }
    /// Shows a frame (the newest frame wins if several arrive before the terminal draws).
    func present(_ canvas: Canvas, theme: Theme)
    /// Rings the bell (tmux marks the window).
    func bell()
    /// Sends `text` to the terminal's clipboard with OSC 52 (the terminal the person sits at,
    /// through SSH), written between frames.
    func copyToClipboard(_ text: String)
    /// Clears and redraws everything on the next frame.
    func invalidate()
    /// Restores the terminal; idempotent.
    func shutdown()
}
